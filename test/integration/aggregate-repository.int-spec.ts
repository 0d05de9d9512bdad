import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { stripVTControlCharacters } from 'node:util';
import { IsInt, Min } from 'class-validator';
import { LastOwnerCannotBeDemoted, PracticeAlreadyExists, RoleTooLow } from '../../src/contexts/tenancy/domain/practice.errors.js';
import { membershipCreated, membershipRoleChanged, practiceCreated } from '../../src/contexts/tenancy/domain/practice.events.js';
import * as practice from '../../src/contexts/tenancy/domain/practice.fixtures.js';
import { practices } from '../../src/contexts/tenancy/practice.aggregate.js';
import { AggregateRepository, type AggregateRepositoryOptions, type HandleOptions } from '../../src/event-sourcing/aggregates/aggregate-repository.js';
import { deterministicEventId } from '../../src/event-sourcing/aggregates/deterministic-event-id.js';
import type { InlineProjection } from '../../src/event-sourcing/aggregates/inline-projection.js';
import { InlineProjections } from '../../src/event-sourcing/aggregates/inline-projections.js';
import { SnapshotStore } from '../../src/event-sourcing/aggregates/snapshot-store.js';
import { defineAggregate, type Aggregate } from '../../src/event-sourcing/aggregates/aggregate.js';
import type { AppendSideWrite } from '../../src/event-sourcing/store/append-side-write.js';
import type { Command, CommandMetadata, DomainEvent } from '../../src/event-sourcing/domain/decider.js';
import { DomainError } from '../../src/event-sourcing/domain/domain-error.js';
import type { RecordedEvent, StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import { EventRegistry } from '../../src/event-sourcing/store/event-registry.js';
import { ConcurrencyError, EventIdReused } from '../../src/event-sourcing/store/event-store.errors.js';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import { repositorySpec } from '../../src/event-sourcing/testing/repository-spec.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// A counter whose events carry the running total, so each event shows the state it was decided on.
class CounterIncrementedPayload {
  @IsInt() @Min(1) by!: number;
  @IsInt() total!: number;
}
type Incremented = DomainEvent<'counter.incremented', { readonly by: number; readonly total: number }>;
type Increment = Command<'Increment', { readonly by: number; readonly times?: number }>;
type Counter = { readonly total: number };
type CounterAggregate = Aggregate<Counter, Increment, Incremented>;

class CounterLimitReached extends DomainError {
  readonly kind = 'rule-violated';
  readonly code = 'COUNTER_LIMIT_REACHED';
}

/** What the repository made the decider do: decisions taken, stored versions folded. */
const newProbe = () => ({ decisions: 0, folded: [] as number[] });
const LIMIT = 1000;
const NOW = '2025-03-01T09:00:00.000Z';

const incremented = (by: number, total: number): Incremented => ({ type: 'counter.incremented', data: { by, total } });

const counter = (snapshots?: CounterAggregate['snapshots'], probe = newProbe()): CounterAggregate =>
  defineAggregate<Counter, Increment, Incremented>({
    type: 'counter',
    idOf: () => 'the-counter',
    events: { 'counter.incremented': CounterIncrementedPayload },
    snapshots,
    decider: {
      initialState: { total: 0 },
      decide: ({ data: { by, times = 1 } }, { total }) => {
        probe.decisions++;
        if (total + by * times > LIMIT) throw new CounterLimitReached(`The counter would pass ${LIMIT}`);
        return by === 0 ? [] : Array.from({ length: times }, (_, i) => incremented(by, total + by * (i + 1)));
      },
      evolve: (state, event) => {
        const { version } = event as Partial<RecordedEvent>;
        if (version !== undefined) probe.folded.push(version);
        return { total: state.total + event.data.by };
      },
    },
    directAppends: (event, { metadata }) => ({ type: 'Increment', data: { by: event.data.by }, metadata }),
  });

// A door: opening an open door decides nothing; a push opens a closed door and closes an open one.
class DoorMovedPayload {}
type DoorMoved = DomainEvent<'door.opened' | 'door.closed', Record<string, never>>;
const doors = defineAggregate<boolean, Command<'OpenDoor' | 'PushDoor', Record<string, never>>, DoorMoved>({
  type: 'door',
  idOf: () => 'the-door',
  events: { 'door.opened': DoorMovedPayload, 'door.closed': DoorMovedPayload },
  decider: {
    initialState: false,
    decide: ({ type }, open) => (type === 'OpenDoor' && open ? [] : [{ type: open ? 'door.closed' : 'door.opened', data: {} }]),
    evolve: (_, event) => event.type === 'door.opened',
  },
});

const metadata = (extra: Partial<CommandMetadata> = {}): CommandMetadata => ({
  now: NOW,
  tenantId: 't1',
  actor: { type: 'human', id: 'u1' },
  ...extra,
});
const increment = (by = 1, extra: Partial<CommandMetadata> = {}, times?: number): Increment => ({
  type: 'Increment',
  data: times === undefined ? { by } : { by, times },
  metadata: metadata(extra),
});
const newStream = (): StreamId => ({ tenantId: 't1', aggregateType: 'counter', aggregateId: randomUUID() });

const settle = <T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown }> =>
  promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

const waitUntil = async (condition: () => Promise<boolean> | boolean): Promise<void> => {
  for (let i = 0; i < 1000; i++) {
    if (await condition()) return;
    await sleep(5);
  }
  throw new Error('condition not met in time');
};

/** An inline projection that holds its transaction open until `open()`: makes two writers race. */
class Gate {
  entered = 0;
  private release = () => undefined as void;
  private readonly opened = new Promise<void>((resolve) => (this.release = resolve));
  readonly projection: InlineProjection = {
    name: 'gate',
    handles: ['counter.incremented'],
    project: async () => {
      this.entered++;
      await this.opened;
    },
  };
  open = () => this.release();
}

describe('AggregateRepository on PostgreSQL', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let snapshots: SnapshotStore;
  let repository: AggregateRepository;

  const repositoryWith = (projections: InlineProjection[], options: AggregateRepositoryOptions = {}) => {
    const inlineProjections = new InlineProjections();
    inlineProjections.register(...projections);
    return AggregateRepository.onPostgres(db.pool, store, snapshots, { ...options, inlineProjections });
  };
  const rows = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows;
  const snapshotOf = async (stream: StreamId) =>
    (await rows(`SELECT schema_version, version, state FROM snapshots WHERE aggregate_id = $1`, [stream.aggregateId]))[0] ?? null;
  const totalsOf = async (stream: StreamId) =>
    (await rows(`SELECT total, version FROM counter_totals WHERE aggregate_id = $1`, [stream.aggregateId]))[0] ?? null;
  const someoneWaitsOnALock = async () =>
    (await rows(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).length > 0;
  const handleTimes = async (decider: CounterAggregate, stream: StreamId, n: number) => {
    for (let i = 0; i < n; i++) await repository.handle(decider, stream, increment());
  };

  /** A read model whose CHECK constraint refuses totals above 50. */
  const totals: InlineProjection = {
    name: 'counter-totals',
    handles: ['counter.incremented'],
    project: async (client, events) => {
      for (const { aggregateId, data, version } of events) {
        await client.query(
          `INSERT INTO counter_totals VALUES ($1, $2, $3)
           ON CONFLICT (aggregate_id) DO UPDATE SET total = excluded.total, version = excluded.version`,
          [aggregateId, (data as Incremented['data']).total, version],
        );
      }
    },
  };
  /** A write recorded with a command: a row of its stream in `command_records`. */
  const recordFor = (stream: StreamId): AppendSideWrite => ({
    sql: (parameters, ifAppended) => `INSERT INTO command_records (aggregate_id) SELECT ${parameters.add(stream.aggregateId)} WHERE ${ifAppended}`,
  });
  const recordsOf = async (stream: StreamId) =>
    (await rows(`SELECT count(*)::int AS n FROM command_records WHERE aggregate_id = $1`, [stream.aggregateId]))[0].n as number;
  /** One that fails (no aggregate id: NOT NULL). */
  const failingRecord: AppendSideWrite = { sql: (_, ifAppended) => `INSERT INTO command_records (aggregate_id) SELECT NULL WHERE ${ifAppended}` };
  const exploding: InlineProjection = {
    name: 'exploding',
    handles: ['counter.incremented'],
    project: () => Promise.reject(new Error('projection failed')),
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query(`CREATE TABLE counter_totals (
      aggregate_id text PRIMARY KEY, total integer NOT NULL CHECK (total <= 50), version integer NOT NULL)`);
    await db.pool.query(`CREATE TABLE command_records (aggregate_id text NOT NULL)`);
    const registry = new EventRegistry()
      .register({ type: 'counter.incremented', payload: CounterIncrementedPayload })
      .register(...practices.eventDefinitions)
      .register(...doors.eventDefinitions);
    store = new PostgresEventStore(db.pool, registry);
    snapshots = new SnapshotStore(db.pool, registry);
    repository = AggregateRepository.onPostgres(db.pool, store, snapshots);
  });
  afterAll(() => {
    // drop() ends the pool before its connections have closed, and DROP DATABASE ... WITH (FORCE)
    // may then terminate one whose error reaches a pool nobody listens to any more.
    db.pool.on('error', () => undefined);
    return db.drop();
  });

  describe('when a command is handled', () => {
    it('stores its events at the next versions, with the command metadata and time', async () => {
      const stream = newStream();
      const commandId = randomUUID();
      const result = await repository.handle(counter(), stream, increment(2, { commandId, correlationId: 'c-1' }, 2));
      expect(result).toMatchObject({ version: 2, state: { total: 4 } });
      const stored = await store.readStream(stream);
      expect(stored.map(({ eventId, version, data }) => ({ eventId, version, data }))).toEqual([
        { eventId: deterministicEventId(commandId, 0), version: 1, data: { by: 2, total: 2 } },
        { eventId: deterministicEventId(commandId, 1), version: 2, data: { by: 2, total: 4 } },
      ]);
      expect(stored[0].occurredAt.toISOString()).toBe(NOW);
      expect(stored[0].metadata).toEqual({ actor: metadata().actor, commandId, correlationId: 'c-1', causationId: commandId });
    });

    it('gives a command without an id a fresh one: its events share it as command, causation and correlation id, and get generated ids', async () => {
      const stream = newStream();
      await repository.handle(counter(), stream, increment(2, {}, 2));
      await repository.handle(counter(), stream, increment(1));
      const stored = await store.readStream(stream);
      const [first, second, third] = stored.map((event) => event.metadata);
      expect(first.commandId).toMatch(/^[0-9a-f-]{36}$/);
      expect(first).toEqual({ actor: metadata().actor, commandId: first.commandId, correlationId: first.commandId, causationId: first.commandId });
      expect(second).toEqual(first);
      expect(third.commandId).not.toBe(first.commandId);
      expect(stored.map((event) => event.eventId)).not.toContain(deterministicEventId(first.commandId!, 0));
    });

    it('appends nothing when the command decides nothing', async () => {
      const stream = newStream();
      await repository.handle(counter(), stream, increment(1));
      expect(await repository.handle(counter(), stream, increment(0))).toEqual({ state: { total: 1 }, version: 1, events: [] });
      expect(await store.streamVersion(stream)).toBe(1);
    });

    it('appends nothing and passes the domain error on when the command is refused', async () => {
      const stream = newStream();
      await expect(repository.handle(counter(), stream, increment(LIMIT + 1))).rejects.toBeInstanceOf(CounterLimitReached);
      expect(await store.streamVersion(stream)).toBe(0);
    });
  });

  describe('when a command is retried with its id after its events were stored', () => {
    // Its first answer was lost (a connection dropped on it, a saga's sender died before marking
    // it sent): deciding it again on the state its own events made would refuse it.
    const practiceOf = (id: string) => practices.streamOf(id, id);
    const remembering = () => AggregateRepository.onPostgres(db.pool, store, snapshots, { rememberedStates: 100 });

    it('answers as the first time where deciding it again would refuse it, and stores and notifies nothing', async () => {
      const id = `p-${randomUUID()}`;
      const create = practice.createPractice({}, practice.by(practice.OWNER, { tenantId: id, commandId: randomUUID() }));
      const first = await repository.handle(practices, practiceOf(id), create);
      const notified: RecordedEvent[] = [];
      const notifying = AggregateRepository.onPostgres(db.pool, store, snapshots, { onCommitted: (events) => notified.push(...events) });

      for (const repo of [notifying, remembering()]) expect(await repo.handle(practices, practiceOf(id), create)).toEqual(first);
      expect(await store.streamVersion(practiceOf(id))).toBe(first.version);
      expect(notified).toEqual([]);
    });

    it('answers as the first time where its If-Match no longer holds', async () => {
      const stream = newStream();
      const command = increment(2, { commandId: randomUUID() });
      const first = await repository.handle(counter(), stream, command, { expectedVersion: 0 });

      await expect(repository.handle(counter(), stream, command, { expectedVersion: 0 })).resolves.toEqual(first);
      expect(await store.streamVersion(stream)).toBe(1);
    });

    const door = (): StreamId => ({ tenantId: 't1', aggregateType: 'door', aggregateId: randomUUID() });
    const doorCommand = (type: 'OpenDoor' | 'PushDoor') => ({ type, data: {}, metadata: metadata({ commandId: randomUUID() }) });

    it('answers as the first time where deciding it again decides nothing', async () => {
      const [stream, open] = [door(), doorCommand('OpenDoor')];
      const first = await repository.handle(doors, stream, open);

      const retried = await repository.handle(doors, stream, open);

      expect(first.events).toHaveLength(1);
      expect(retried).toEqual(first);
      expect(await store.streamVersion(stream)).toBe(1);
    });

    it('answers as the first time where deciding it again decides other events under the same ids', async () => {
      const [stream, push] = [door(), doorCommand('PushDoor')];
      const first = await repository.handle(doors, stream, push);

      expect(await repository.handle(doors, stream, push)).toEqual(first);
      expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['door.opened']);
    });

    it('answers as the first time after other commands moved the stream on: the state and version its events made', async () => {
      const stream = newStream();
      const command = increment(2, { commandId: randomUUID() });
      const first = await repository.handle(counter(), stream, command, { expectedVersion: 0 });
      await repository.handle(counter(), stream, increment(5));

      expect(await repository.handle(counter(), stream, command, { expectedVersion: 0 })).toEqual(first);
    });

    it('still refuses a command whose id stored nothing in the stream', async () => {
      const id = `p-${randomUUID()}`;
      const as = (commandId: string) => practice.by(practice.OWNER, { tenantId: id, commandId });
      await repository.handle(practices, practiceOf(id), practice.createPractice({}, as(randomUUID())));

      await expect(repository.handle(practices, practiceOf(id), practice.createPractice({}, as(randomUUID())))).rejects.toBeInstanceOf(
        PracticeAlreadyExists,
      );
    });
  });

  describe('with snapshots every 5 events', () => {
    const v1 = { every: 5, schemaVersion: 1 };

    it('writes one at each 5th version, not before', async () => {
      const stream = newStream();
      await handleTimes(counter(v1), stream, 4);
      expect(await snapshotOf(stream)).toBeNull();
      await handleTimes(counter(v1), stream, 1);
      expect(await snapshotOf(stream)).toEqual({ schema_version: 1, version: 5, state: { total: 5 } });
      await handleTimes(counter(v1), stream, 7);
      expect(await snapshotOf(stream)).toEqual({ schema_version: 1, version: 10, state: { total: 10 } });
    });

    it("writes one at the command's last version when its events cross a 5th version", async () => {
      const stream = newStream();
      await handleTimes(counter(v1), stream, 4);
      await repository.handle(counter(v1), stream, increment(1, {}, 3));
      expect(await snapshotOf(stream)).toEqual({ schema_version: 1, version: 7, state: { total: 7 } });
    });

    describe('when a stream of 7 events is loaded', () => {
      let stream: StreamId;
      beforeAll(async () => {
        stream = newStream();
        await handleTimes(counter(v1), stream, 7);
      });

      it('starts from the latest snapshot and folds only the newer events', async () => {
        const probe = newProbe();
        expect(await repository.load(counter(v1, probe), stream)).toEqual({ state: { total: 7 }, version: 7 });
        expect(probe.folded).toEqual([6, 7]);
      });

      it('folds every event for a temporal load', async () => {
        const probe = newProbe();
        expect(await repository.load(counter(v1, probe), stream, { toVersion: 6 })).toEqual({ state: { total: 6 }, version: 6 });
        expect(probe.folded).toEqual([1, 2, 3, 4, 5, 6]);
      });

      it('ignores a snapshot of another schema version, refolds, and replaces it at the next 5th version', async () => {
        const v2 = { every: 5, schemaVersion: 2 };
        const probe = newProbe();
        expect(await repository.load(counter(v2, probe), stream)).toEqual({ state: { total: 7 }, version: 7 });
        expect(probe.folded).toEqual([1, 2, 3, 4, 5, 6, 7]);
        await handleTimes(counter(v2), stream, 3);
        expect(await snapshotOf(stream)).toEqual({ schema_version: 2, version: 10, state: { total: 10 } });
      });
    });
  });

  describe('with inline projections', () => {
    it('writes the read model with the events', async () => {
      const stream = newStream();
      await repositoryWith([totals]).handle(counter(), stream, increment(3, {}, 2));
      expect(await totalsOf(stream)).toEqual({ total: 6, version: 2 });
    });

    it('stores neither events nor rows, and notifies nobody, when a projection throws', async () => {
      const stream = newStream();
      const committed: RecordedEvent[] = [];
      const repo = repositoryWith([totals, exploding], { onCommitted: (events) => committed.push(...events) });
      await expect(repo.handle(counter(), stream, increment())).rejects.toThrow('projection failed');
      expect(await store.streamVersion(stream)).toBe(0);
      expect(await totalsOf(stream)).toBeNull();
      expect(committed).toEqual([]);
    });

    it('stores neither events nor rows when a projection violates a constraint', async () => {
      const stream = newStream();
      const repo = repositoryWith([totals]);
      await repo.handle(counter(), stream, increment(50));
      await expect(repo.handle(counter(), stream, increment(1))).rejects.toMatchObject({ code: '23514' });
      expect(await store.streamVersion(stream)).toBe(1);
      expect(await totalsOf(stream)).toEqual({ total: 50, version: 1 });
    });
  });

  describe.each([
    ['in one statement', (options: AggregateRepositoryOptions = {}) => AggregateRepository.onPostgres(db.pool, store, snapshots, options)],
    ['in a transaction with an inline projection', (options: AggregateRepositoryOptions = {}) => repositoryWith([totals], options)],
  ])('when events are appended %s', (_, repo) => {
    it('calls onCommitted after commit, with the recorded events', async () => {
      const stream = newStream();
      const committed: RecordedEvent[] = [];
      const visible: Promise<number>[] = [];
      const onCommitted = (events: readonly RecordedEvent[]) => {
        committed.push(...events);
        // Another connection sees the events only once they are committed.
        const ids = events.map((e) => e.eventId);
        visible.push(rows(`SELECT 1 FROM events WHERE event_id = ANY($1::uuid[])`, [ids]).then((found) => found.length));
      };
      await repo({ onCommitted }).handle(counter(), stream, increment(1, {}, 2));
      expect(committed.map((e) => [e.aggregateId, e.version])).toEqual([
        [stream.aggregateId, 1],
        [stream.aggregateId, 2],
      ]);
      expect(await Promise.all(visible)).toEqual([2]);
    });

    it('lands 10 parallel commands without an expected version at versions 1..10, each decided on fresh state', async () => {
      const stream = newStream();
      await Promise.all(Array.from({ length: 10 }, () => repo().handle(counter(), stream, increment())));
      const stored = await store.readStream(stream);
      const expected = Array.from({ length: 10 }, (__, i) => [i + 1, i + 1]);
      expect(stored.map((e) => [e.version, (e.data as Incremented['data']).total])).toEqual(expected);
    });

    it('stores a command retried with the same commandId once, answers it as the first time and notifies once', async () => {
      const stream = newStream();
      const committed: RecordedEvent[] = [];
      const command = increment(1, { commandId: randomUUID() });
      const first = await repo({ onCommitted: (events) => committed.push(...events) }).handle(counter(), stream, command);
      const retried = await repo({ onCommitted: (events) => committed.push(...events) }).handle(counter(), stream, command);
      expect(retried).toEqual(first);
      expect(committed).toEqual(first.events);
      expect(await store.streamVersion(stream)).toBe(1);
    });

    it('commits a write recorded with the command with its events, and only when they are appended now', async () => {
      const stream = newStream();
      const command = increment(1, { commandId: randomUUID() }, 2);
      await repo().handle(counter(), stream, command, { recordedWith: recordFor(stream) });
      // A retry answered from the events stored before appends nothing, nor does a command that decides nothing.
      await repo().handle(counter(), stream, command, { recordedWith: recordFor(stream) });
      await repo().handle(counter(), stream, increment(0), { recordedWith: recordFor(stream) });

      expect(await recordsOf(stream)).toBe(1);
      expect(await store.streamVersion(stream)).toBe(2);
    });

    it('stores none of the events, and notifies nobody, when the write recorded with them fails', async () => {
      const stream = newStream();
      const committed: RecordedEvent[] = [];
      const handling = repo({ onCommitted: (events) => committed.push(...events) }).handle(counter(), stream, increment(1, {}, 2), {
        recordedWith: failingRecord,
      });

      await expect(handling).rejects.toMatchObject({ code: '23502' });
      expect(await store.streamVersion(stream)).toBe(0);
      expect(committed).toEqual([]);
    });

    it('stores parallel copies of a command with the same commandId once, and notifies once', async () => {
      const stream = newStream();
      const committed: RecordedEvent[] = [];
      const command = increment(1, { commandId: randomUUID() });
      const copies = repo({ onCommitted: (events) => committed.push(...events) });
      const results = await Promise.all([1, 2, 3].map(() => copies.handle(counter(), stream, command)));
      expect(results.map(({ state, version }) => ({ state, version }))).toEqual(Array(3).fill({ state: { total: 1 }, version: 1 }));
      expect(committed).toHaveLength(1);
      expect(await store.streamVersion(stream)).toBe(1);
    });
  });

  describe('when two commands race on one stream', () => {
    /** The first writer's transaction stays open until the second one waits on its lock. */
    const race = async (options: HandleOptions, { existing = false } = {}) => {
      const gate = new Gate();
      const repo = repositoryWith([gate.projection]);
      const [stream, probe] = [newStream(), newProbe()];
      if (existing) await repository.handle(counter(), stream, increment());
      const first = settle(repo.handle(counter(undefined, probe), stream, increment(), options));
      await waitUntil(() => gate.entered === 1);
      const second = settle(repo.handle(counter(undefined, probe), stream, increment(), options));
      await waitUntil(someoneWaitsOnALock);
      gate.open();
      return { stream, probe, first: await first, second: await second };
    };

    it('re-runs the loser without an expected version on the fresh state', async () => {
      const { stream, probe, first, second } = await race({});
      expect(first).toHaveProperty('value');
      expect(second).toMatchObject({ value: { version: 2, events: [{ data: { by: 1, total: 2 } }] } });
      expect(probe.decisions).toBe(3);
      expect(await store.streamVersion(stream)).toBe(2);
    });

    it('fails the loser with an expected version with ConcurrencyError and never re-runs it', async () => {
      const { stream, probe, first, second } = await race({ expectedVersion: 0 });
      expect(first).toHaveProperty('value');
      expect(second).toEqual({ error: expect.any(ConcurrencyError) });
      expect(second).toMatchObject({ error: { expectedVersion: 0, actualVersion: 1 } });
      expect(probe.decisions).toBe(2);
      expect(await store.streamVersion(stream)).toBe(1);
    });

    it('re-runs the loser when the precondition is only that the stream exists (If-Match: *)', async () => {
      const { stream, probe, first, second } = await race({ expectedVersion: 'stream_exists' }, { existing: true });
      expect(first).toHaveProperty('value');
      expect(second).toMatchObject({ value: { version: 3, events: [{ data: { by: 1, total: 3 } }] } });
      expect(probe.decisions).toBe(3);
      expect(await store.streamVersion(stream)).toBe(3);
    });

    it('fails a command that requires an existing stream on a new one with ConcurrencyError, before deciding', async () => {
      const [stream, probe] = [newStream(), newProbe()];
      await expect(repository.handle(counter(undefined, probe), stream, increment(), { expectedVersion: 'stream_exists' })).rejects.toEqual(
        expect.objectContaining({ name: 'ConcurrencyError', expectedVersion: 'stream_exists', actualVersion: 0 }),
      );
      expect(probe.decisions).toBe(0);
      expect(await store.streamVersion(stream)).toBe(0);
    });

    it('fails a command whose expected version is behind with ConcurrencyError, before deciding', async () => {
      const [stream, probe] = [newStream(), newProbe()];
      await repository.handle(counter(), stream, increment());
      await expect(repository.handle(counter(undefined, probe), stream, increment(), { expectedVersion: 0 })).rejects.toEqual(
        expect.objectContaining({ name: 'ConcurrencyError', expectedVersion: 0, actualVersion: 1 }),
      );
      expect(probe.decisions).toBe(0);
    });
  });

  describe('when an event is appended directly', () => {
    const practiceId = `practice-${randomUUID()}`;
    const stream = practices.streamOf(practiceId, practiceId);
    const asOwner = practice.by(practice.OWNER, { tenantId: practiceId });
    const created = practiceCreated({ name: practice.PRACTICE_NAME });
    const eventId = randomUUID();
    let first: RecordedEvent;

    beforeAll(async () => {
      [first] = (await repository.appendDirect(practices, stream, created, asOwner, { eventId })).events;
    });

    it('stores what the aggregate decides, the requested event under the given id', async () => {
      expect(first).toMatchObject({ eventId, version: 1, type: 'practice.created', data: created.data });
      // The command behind practice.created also makes its creator the owner: no practice without one.
      const stored = await store.readStream(stream);
      expect(stored.map(({ type, data }) => ({ type, data }))).toEqual([
        created,
        membershipCreated({ userId: practice.OWNER, role: 'owner' }),
      ]);
      expect(stored[0]).toEqual(first);
    });

    it('returns the stored event for a repeated event id and appends nothing', async () => {
      expect((await repository.appendDirect(practices, stream, created, asOwner, { eventId })).events).toEqual([first]);
      expect(await store.streamVersion(stream)).toBe(2);
    });

    it('refuses an event the aggregate would not decide, such as a second practice.created', async () => {
      await expect(repository.appendDirect(practices, stream, created, asOwner)).rejects.toBeInstanceOf(PracticeAlreadyExists);
      expect(await store.streamVersion(stream)).toBe(2);
    });

    it('stores the previous role the aggregate knows, not the one the caller claims', async () => {
      await repository.appendDirect(practices, stream, membershipCreated({ userId: 'staff-1', role: 'staff' }), asOwner);
      const claimed = membershipRoleChanged({ userId: 'staff-1', role: 'admin', previousRole: 'viewer' });
      const [stored] = (await repository.appendDirect(practices, stream, claimed, asOwner)).events;
      expect(stored.data).toEqual({ userId: 'staff-1', role: 'admin', previousRole: 'staff' });
    });

    it('refuses an event whose command the actor may not decide', () => {
      const newcomer = practice.by(practice.NEWCOMER, { tenantId: practiceId });
      const event = membershipCreated({ userId: practice.NEWCOMER, role: 'owner' });
      return expect(repository.appendDirect(practices, stream, event, newcomer)).rejects.toBeInstanceOf(RoleTooLow);
    });

    it('refuses an event id already stored on another stream', () =>
      expect(repository.appendDirect(counter(), newStream(), incremented(1, 1), metadata(), { eventId })).rejects.toBeInstanceOf(
        EventIdReused,
      ));

    it('refuses an aggregate that takes no direct appends', () =>
      expect(
        repository.appendDirect({ ...counter(), directAppends: undefined }, newStream(), incremented(1, 1), metadata()),
      ).rejects.toThrow('Aggregate type counter takes no direct appends'));
  });

  describe('repositorySpec (the scenario kit on PostgreSQL) with the practice decider', () => {
    const scenario = () => {
      const practiceId = `practice-${randomUUID()}`;
      const as = (userId: string) => practice.by(userId, { tenantId: practiceId });
      return { as, given: repositorySpec(practices, repository, store, practices.streamOf(practiceId, practiceId)).given };
    };

    it('creates a practice with its creator as owner', () => {
      const { as, given } = scenario();
      return given()
        .when(practice.createPractice({}, as(practice.OWNER)))
        .then(practiceCreated({ name: practice.PRACTICE_NAME }), membershipCreated({ userId: practice.OWNER, role: 'owner' }));
    });

    it('lets an admin add a member', () => {
      const { as, given } = scenario();
      return given(...practice.practiceWith(practice.TEAM))
        .when(practice.addMember({ userId: practice.NEWCOMER, role: 'staff' }, as(practice.ADMIN)))
        .then(membershipCreated({ userId: practice.NEWCOMER, role: 'staff' }));
    });

    it('refuses to demote the last owner and stores nothing', () => {
      const { as, given } = scenario();
      return given(...practice.practiceWith())
        .when(practice.changeMemberRole({ userId: practice.OWNER, role: 'admin' }, as(practice.OWNER)))
        .thenThrows(LastOwnerCannotBeDemoted, { code: 'LAST_OWNER_CANNOT_BE_DEMOTED' });
    });

    it('reports a mismatch with a readable diff', async () => {
      const { as, given } = scenario();
      const failure = await given(...practice.practiceWith())
        .when(practice.addMember({ userId: practice.NEWCOMER, role: 'viewer' }, as(practice.OWNER)))
        .then(membershipCreated({ userId: practice.NEWCOMER, role: 'staff' }))
        .then(
          () => 'passed',
          (error: Error) => stripVTControlCharacters(error.message),
        );
      expect(failure).toMatch(/^-\s+"role": "staff",?$/m);
      expect(failure).toMatch(/^\+\s+"role": "viewer",?$/m);
    });
  });

  describe('remembering the states it wrote', () => {
    const practiceOf = (id: string) => practices.streamOf(id, id);
    const remembering = (capacity = 100) => AggregateRepository.onPostgres(db.pool, store, snapshots, { rememberedStates: capacity });
    /** Counts the stream loads a repository makes (no snapshots here: loads read the stream). */
    const countLoads = (target: PostgresEventStore) => {
      let loads = 0;
      const readStream = target.readStream.bind(target);
      target.readStream = (...args) => {
        loads++;
        return readStream(...args);
      };
      return () => loads;
    };
    let countingStore: PostgresEventStore;
    let loads: () => number;

    beforeEach(() => {
      const registry = new EventRegistry().register({ type: 'counter.incremented', payload: CounterIncrementedPayload });
      countingStore = new PostgresEventStore(db.pool, registry);
      loads = countLoads(countingStore);
    });

    it('skips loading a stream it wrote last, and a new stream for a create', async () => {
      const repo = AggregateRepository.onPostgres(db.pool, countingStore, snapshots, { rememberedStates: 100 });
      const decider = counter();
      const stream = newStream();
      for (let i = 0; i < 3; i++) await repo.handle(decider, stream, increment(2));

      expect(loads()).toBe(0);
      expect((await store.readStream(stream)).map((e) => e.data)).toEqual([
        { by: 2, total: 2 },
        { by: 2, total: 4 },
        { by: 2, total: 6 },
      ]);
    });

    it('decides again on the loaded stream when another process moved it on', async () => {
      const [here, there] = [remembering(), remembering()];
      const decider = counter();
      const stream = newStream();
      await here.handle(decider, stream, increment(1));
      await there.handle(decider, stream, increment(10));

      const result = await here.handle(decider, stream, increment(100));

      expect(result).toMatchObject({ version: 3, state: { total: 111 } });
      expect((await store.readStream(stream)).map((e) => e.data)).toEqual([
        { by: 1, total: 1 },
        { by: 10, total: 11 },
        { by: 100, total: 111 },
      ]);
    });

    it('checks a refusal decided on a remembered state against the loaded stream', async () => {
      const [here, there] = [remembering(), remembering()];
      const id = `p-${randomUUID()}`;
      const as = practice.by(practice.OWNER, { tenantId: id });
      await here.handle(practices, practiceOf(id), practice.createPractice({}, as));
      await there.handle(practices, practiceOf(id), practice.addMember({ userId: practice.STAFF, role: 'staff' }, as));

      // Here the remembered practice has no such member; the stored one has.
      const result = await here.handle(practices, practiceOf(id), practice.changeMemberRole({ userId: practice.STAFF, role: 'admin' }, as));

      expect(result.events.map((e) => e.type)).toEqual(['membership.role_changed']);
    });

    it('checks If-Match against the loaded stream when the remembered state is older', async () => {
      const [here, there] = [remembering(), remembering()];
      const decider = counter();
      const stream = newStream();
      await here.handle(decider, stream, increment(1));
      await there.handle(decider, stream, increment(1));

      await expect(here.handle(decider, stream, increment(1), { expectedVersion: 2 })).resolves.toMatchObject({ version: 3 });
      await expect(here.handle(decider, stream, increment(1), { expectedVersion: 2 })).rejects.toMatchObject({ actualVersion: 3 });
    });

    it('answers a create of a stream another process created as a loading repository does', async () => {
      const id = `p-${randomUUID()}`;
      const as = practice.by(practice.OWNER, { tenantId: id });
      await remembering().handle(practices, practiceOf(id), practice.createPractice({}, as));

      await expect(remembering().handle(practices, practiceOf(id), practice.createPractice({}, as))).rejects.toBeInstanceOf(
        PracticeAlreadyExists,
      );
      expect(await store.streamVersion(practiceOf(id))).toBe(2);
    });

    it('answers a retried command (same command id) as a loading repository does', async () => {
      const decider = counter();
      const stream = newStream();
      const commandId = randomUUID();
      const first = await remembering().handle(decider, stream, increment(3, { commandId }));

      const retried = await remembering().handle(decider, stream, increment(3, { commandId }));
      const retriedWhileLoading = await repository.handle(decider, stream, increment(3, { commandId }));

      expect(retried).toEqual(retriedWhileLoading);
      expect(retried.events).toEqual(first.events);
      expect(await store.streamVersion(stream)).toBe(1);
    });

    it('keeps versions gap-free when commands on one stream race in one process', async () => {
      const repo = remembering();
      const decider = counter();
      const stream = newStream();
      await repo.handle(decider, stream, increment(1));

      await Promise.all(Array.from({ length: 10 }, () => repo.handle(decider, stream, increment(1))));

      expect((await store.readStream(stream)).map((e) => [e.version, (e.data as Incremented['data']).total])).toEqual(
        Array.from({ length: 11 }, (_, i) => [i + 1, i + 1]),
      );
    });

    it('forgets the oldest written beyond its capacity, and never serves another decider’s state', async () => {
      const repo = AggregateRepository.onPostgres(db.pool, countingStore, snapshots, { rememberedStates: 2 });
      const decider = counter();
      const [a, b, c] = [newStream(), newStream(), newStream()];
      for (const stream of [a, b, c]) await repo.handle(decider, stream, increment(1));
      expect(loads()).toBe(0);

      await repo.handle(decider, c, increment(1));
      expect(loads()).toBe(0);
      await repo.handle(decider, a, increment(1));
      expect(loads()).toBe(1);
      await repo.handle(counter(), a, increment(1));
      expect(loads()).toBe(2);
      expect(await store.streamVersion(a)).toBe(3);
    });
  });
});
