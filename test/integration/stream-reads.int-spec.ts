import { randomUUID } from 'node:crypto';
import { IsString } from 'class-validator';
import type { StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import { EventRegistry } from '../../src/event-sourcing/store/event-registry.js';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

class RoomCleaned {
  @IsString() roomId!: string;
}

const metadata = { actor: { type: 'system' as const, id: null } };

const registry = () => new EventRegistry().register({ type: 'room.cleaned', payload: RoomCleaned });

/**
 * A stream read does not select the stream's own columns: its events get the ids the read was
 * given. These must be the ids as stored, byte for byte, as when the columns were read.
 */
describe('The stream ids of a stream read on PostgreSQL', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  const tenantId = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase(2);
    store = new PostgresEventStore(db.pool, registry());
  });
  afterAll(() => db.drop());

  const stored = async (stream: StreamId) =>
    (
      await db.pool.query<{ tenant_id: string; aggregate_type: string; aggregate_id: string }>(
        `SELECT tenant_id, aggregate_type, aggregate_id FROM events
         WHERE tenant_id = $1 AND aggregate_type = $2 AND aggregate_id = $3 ORDER BY version`,
        [stream.tenantId, stream.aggregateType, stream.aggregateId],
      )
    ).rows.map((row) => ({ tenantId: row.tenant_id, aggregateType: row.aggregate_type, aggregateId: row.aggregate_id }));

  it('are the stored ids, forward and backward, for ids beyond ASCII', async () => {
    const stream = { tenantId, aggregateType: 'räume', aggregateId: 'zimmer-😀-\ufffd-ß' };
    await store.append(stream, [
      { type: 'room.cleaned', data: { roomId: 'a' }, metadata },
      { type: 'room.cleaned', data: { roomId: 'b' }, metadata },
    ]);
    const expected = await stored(stream);
    expect(expected).toHaveLength(2);
    const ids = (events: readonly StreamId[]) =>
      events.map(({ tenantId: t, aggregateType, aggregateId }) => ({ tenantId: t, aggregateType, aggregateId }));
    expect(ids(await store.readStream(stream))).toEqual(expected);
    expect(ids(await store.readStream(stream, { direction: 'backward' }))).toEqual(expected);
  });

  it('are the stored ids when the read names the stream with a lone surrogate, which reaches PostgreSQL as U+FFFD', async () => {
    const stream = { tenantId, aggregateType: 'room', aggregateId: `r-\ufffd-${randomUUID()}` };
    await store.append(stream, [{ type: 'room.cleaned', data: { roomId: 'a' }, metadata }]);
    const events = await store.readStream({ ...stream, aggregateId: stream.aggregateId.replace('\ufffd', '\ud800') });
    expect(events.map((event) => event.aggregateId)).toEqual([stream.aggregateId]);
  });
});

/** A read up to a time takes what was recorded before the millisecond after it: the last one a Date holds has none. */
describe('A stream read up to a time on PostgreSQL', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase(2);
    store = new PostgresEventStore(db.pool, registry());
  });
  afterAll(() => db.drop());

  it('reads the whole stream up to the last time a Date can hold, forward and backward', async () => {
    const stream = { tenantId: randomUUID(), aggregateType: 'room', aggregateId: 'r1' };
    await store.append(stream, [{ type: 'room.cleaned', data: { roomId: 'a' }, metadata }]);
    const until = new Date(8.64e15);
    expect(await store.readStream(stream, { until })).toHaveLength(1);
    expect(await store.readStream(stream, { until, direction: 'backward' })).toHaveLength(1);
  });

  it('reads a prefix of the stream at any time, though a later version was appended in a transaction begun before an earlier one', async () => {
    const stream = { tenantId: randomUUID(), aggregateType: 'room', aggregateId: 'r2' };
    const client = await db.pool.connect();
    try {
      // A unit of work (a saga step, say) opens its transaction, and takes a while before it appends.
      await client.query('BEGIN');
      await client.query('SELECT 1');
      await new Promise((resolve) => setTimeout(resolve, 20));
      const {
        events: [first],
      } = await store.append(stream, [{ type: 'room.cleaned', data: { roomId: 'a' }, metadata }]);
      await store.appendWithin(client, stream, [{ type: 'room.cleaned', data: { roomId: 'b' }, metadata }], { expectedVersion: 1 });
      await client.query('COMMIT');

      const events = await store.readStream(stream);
      expect(events.map((e) => e.version)).toEqual([1, 2]);
      expect(events[1].recordedAt.getTime()).toBeGreaterThanOrEqual(first.recordedAt.getTime());
      // Just before version 1 was recorded, the stream had no event: not version 2 alone.
      expect((await store.readStream(stream, { until: new Date(first.recordedAt.getTime() - 1) })).map((e) => e.version)).toEqual([]);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  });
});
