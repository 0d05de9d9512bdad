import { randomUUID } from 'node:crypto';
import { IsInt, Min } from 'class-validator';
import pg from 'pg';
import { defineAggregate, type Aggregate } from '../../src/event-sourcing/aggregates/aggregate.js';
import { AggregateRepository } from '../../src/event-sourcing/aggregates/aggregate-repository.js';
import { SnapshotStore } from '../../src/event-sourcing/aggregates/snapshot-store.js';
import type { Command, CommandMetadata, DomainEvent } from '../../src/event-sourcing/domain/decider.js';
import { isDatabaseUnavailable } from '../../src/event-sourcing/store/database-unavailable.js';
import type { StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import { EventRegistry } from '../../src/event-sourcing/store/event-registry.js';
import { PostgresEventStore, type PostgresEventStoreOptions } from '../../src/event-sourcing/store/postgres-event-store.js';
import { endsReadyForQuery, fatalGoodbye } from '../support/postgres-wire.js';
import { proxied, type TcpProxy } from '../support/tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

class AddedPayload {
  @IsInt() @Min(1) by!: number;
}
type Added = DomainEvent<'tally.added', { readonly by: number }>;
type Add = Command<'Add', { readonly by: number }>;

/** A command that is not idempotent by nature: each one applied adds an event. */
const tally: Aggregate<{ total: number }, Add, Added> = defineAggregate<{ total: number }, Add, Added>({
  type: 'tally',
  idOf: () => 'unused',
  events: { 'tally.added': AddedPayload },
  decider: {
    initialState: { total: 0 },
    decide: ({ data: { by } }) => [{ type: 'tally.added', data: { by } }],
    evolve: (state, event) => ({ total: state.total + event.data.by }),
  },
});

const add = (commandId?: string): Add => {
  const metadata: CommandMetadata = { now: new Date().toISOString(), tenantId: 't1', actor: { type: 'human', id: 'u1' }, commandId };
  return { type: 'Add', data: { by: 1 }, metadata };
};
const newStream = (): StreamId => ({ tenantId: 't1', aggregateType: 'tally', aggregateId: randomUUID() });

/** PostgreSQL's whole answer to an append that committed (its INSERT's CommandComplete, then ReadyForQuery). */
const insertCommitted = (chunk: Buffer): boolean => chunk.includes('INSERT 0 ') && endsReadyForQuery(chunk);
/** The whole answer to a group's statement of two appends or more (`SELECT n`, its rows returned), committed. */
const groupCommitted = (chunk: Buffer): boolean => /SELECT ([2-9]|\d\d+)\0/.test(chunk.toString('latin1')) && endsReadyForQuery(chunk);

type Outcome = { readonly version: number } | { readonly lost: boolean };
const outcomeOf = (handling: Promise<{ version: number }>): Promise<Outcome> =>
  handling.then(({ version }) => ({ version }), (error: unknown) => ({ lost: isDatabaseUnavailable(error) }));

/**
 * A commit whose answer never reaches the app: PostgreSQL committed the append, then the
 * connection dropped (a proxy, the network, a backend terminated) before its reply came. The
 * outcome is unknown to the app, so the command must fail with the connection's error, as a
 * command without remembered states or group commit always did, and never be decided and
 * appended a second time. A command with an id is then retried safely: its first answer.
 */
describe('a command whose commit answer is lost', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let pool: pg.Pool;
  const registry = new EventRegistry().register(...tally.eventDefinitions);

  beforeAll(async () => {
    db = await createTestDatabase();
    let url: string;
    ({ proxy, url } = await proxied(db.url, 5432));
    pool = new pg.Pool({ connectionString: url, max: 10 });
    pool.on('error', () => undefined);
  });
  afterAll(async () => {
    await pool?.end();
    await proxy?.close();
    await db?.drop();
  });

  const repositoryOf = (options: { rememberedStates?: number; appendGroup?: PostgresEventStoreOptions['appendGroup'] }) => {
    const store = new PostgresEventStore(pool, registry, () => undefined, { appendGroup: options.appendGroup });
    return AggregateRepository.onPostgres(pool, store, new SnapshotStore(pool, registry), { rememberedStates: options.rememberedStates });
  };
  const eventsIn = async (stream: StreamId): Promise<number> =>
    (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE aggregate_id = $1`, [stream.aggregateId])).rows[0].n;

  it.each([
    ['on a remembered state', { rememberedStates: 100 }],
    ['on a loaded state', {}],
  ])('fails with the lost connection’s error %s, stored once; the next command goes through', async (_, options) => {
    const repository = repositoryOf(options);
    const stream = newStream();
    await repository.handle(tally, stream, add());
    proxy.lastReply(insertCommitted, () => Buffer.alloc(0));

    const outcome = await outcomeOf(repository.handle(tally, stream, add()));

    expect(outcome).toEqual({ lost: true });
    expect(await eventsIn(stream)).toBe(2);
    expect(await outcomeOf(repository.handle(tally, stream, add()))).toEqual({ version: 3 });
  });

  it('fails every command of a group whose answer is lost, each stored once; the others are answered', async () => {
    const repository = repositoryOf({ appendGroup: { inFlight: 1, maxAppends: 32 } });
    const streams = Array.from({ length: 8 }, newStream);
    for (const stream of streams) await repository.handle(tally, stream, add());
    // The first append goes alone; the ones asked for meanwhile wait for it and go as one group.
    proxy.lastReply(groupCommitted, () => fatalGoodbye());

    const outcomes = await Promise.all(streams.map((stream) => outcomeOf(repository.handle(tally, stream, add()))));

    expect(await Promise.all(streams.map(eventsIn))).toEqual(streams.map(() => 2));
    const lost = outcomes.filter((outcome) => 'lost' in outcome);
    expect(lost.length).toBeGreaterThanOrEqual(2);
    expect(lost).toEqual(lost.map(() => ({ lost: true })));
    expect(outcomes.filter((outcome) => 'version' in outcome)).toEqual(Array.from({ length: 8 - lost.length }, () => ({ version: 2 })));
  });

  it('answers a command with an id, retried after its answer was lost, as the first time', async () => {
    const repository = repositoryOf({ rememberedStates: 100 });
    const stream = newStream();
    await repository.handle(tally, stream, add());
    const commandId = randomUUID();
    proxy.lastReply(insertCommitted, () => Buffer.alloc(0));
    expect(await outcomeOf(repository.handle(tally, stream, add(commandId)))).toEqual({ lost: true });

    const retried = await repository.handle(tally, stream, add(commandId));

    expect({ version: retried.version, total: retried.state.total, events: retried.events.length }).toEqual({ version: 2, total: 2, events: 1 });
    expect(await eventsIn(stream)).toBe(2);
  });
});
