import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { IsString } from 'class-validator';
import type pg from 'pg';
import { PostgresSubscriptionLog as PostgresProjectionLog } from '../../src/event-sourcing/subscriptions/subscription-log.js';
import type { NewEvent, RecordedEvent, StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import { EventRegistry } from '../../src/event-sourcing/store/event-registry.js';
import { compareLogCursors, LOG_START, type LogCursor } from '../../src/event-sourcing/store/log-cursor.js';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

class NoteWritten {
  @IsString() text!: string;
}

const registry = new EventRegistry().register({ type: 'note.written', payload: NoteWritten });

const noteWritten = (text: string): NewEvent => ({
  eventId: randomUUID(),
  type: 'note.written',
  data: { text },
  metadata: { actor: { type: 'human', id: 'user-1' } },
});

const notebook = (tenantId: string, name: string): StreamId => ({ tenantId, aggregateType: 'notebook', aggregateId: name });
const idsOf = (events: readonly RecordedEvent[]) => events.map((e) => e.eventId);
const cursorOf = (event: RecordedEvent): LogCursor => ({ transactionId: event.transactionId, position: event.position });

/**
 * Follows the global log from `after` until `count` events came back, then checks that nothing
 * more does. Other test files write to the same PostgreSQL server, and the reader's fence is
 * server-wide, so an event can take a moment to become readable: the reader simply keeps asking.
 */
const followLog = async (
  read: (after: LogCursor) => Promise<{ events: readonly RecordedEvent[]; cursor: LogCursor }>,
  after: LogCursor,
  count: number,
): Promise<RecordedEvent[]> => {
  const seen: RecordedEvent[] = [];
  const deadline = Date.now() + 15_000;
  let cursor = after;
  while (seen.length < count && Date.now() < deadline) {
    const page = await read(cursor);
    seen.push(...page.events);
    cursor = page.cursor;
    if (page.events.length === 0) await sleep(10);
  }
  seen.push(...(await read(cursor)).events);
  return seen;
};

describe('gap-free reading of the global log', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let writing: pg.PoolClient | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(12);
    store = new PostgresEventStore(db.pool, registry);
  });
  afterEach(async () => {
    // A failed test must not leave its transaction open: it would fence every reader.
    await writing?.query('ROLLBACK');
    writing?.release();
    writing = undefined;
  });
  afterAll(() => {
    // drop() ends the pool before its connections have closed, and DROP DATABASE ... WITH (FORCE)
    // may then terminate one whose error reaches a pool nobody listens to any more.
    db.pool.on('error', () => undefined);
    return db.drop();
  });

  /** Begins a transaction that appends `events` to `stream` and stays open. */
  const openAppend = async (stream: StreamId, events: NewEvent[]): Promise<RecordedEvent[]> => {
    writing = await db.pool.connect();
    await writing.query('BEGIN');
    return [...(await store.appendWithin(writing, stream, events)).events];
  };
  const finish = async (outcome: 'COMMIT' | 'ROLLBACK') => {
    await writing!.query(outcome);
    writing!.release();
    writing = undefined;
  };

  describe('readAll, when a later transaction commits while an earlier one is open', () => {
    it('returns neither until the earlier one commits, then both, once each, earlier first', async () => {
      const tenant = `tenant-${randomUUID()}`;
      const [before] = (await store.append(notebook(tenant, 'a'), [noteWritten('before')])).events;
      const start = cursorOf(before);
      const read = (after: LogCursor) => store.readAll({ after, limit: 1 });

      const held = await openAppend(notebook(tenant, 'held'), [noteWritten('held')]);
      const later = (await store.append(notebook(tenant, 'b'), [noteWritten('later 1'), noteWritten('later 2')])).events;

      expect(later[0].position).toBeGreaterThan(held[0].position);
      expect(idsOf(await store.readStream(notebook(tenant, 'b')))).toEqual(idsOf(later));
      expect(await store.readAll({ after: start })).toEqual({ events: [], cursor: start });
      expect(await read(start)).toEqual({ events: [], cursor: start });

      await finish('COMMIT');

      const seen = await followLog(read, start, 3);
      expect(idsOf(seen)).toEqual([...idsOf(held), ...idsOf(later)]);
    });

    it('returns the later one, and never the rolled-back one, after the earlier one rolls back', async () => {
      const tenant = `tenant-${randomUUID()}`;
      const [before] = (await store.append(notebook(tenant, 'a'), [noteWritten('before')])).events;
      const start = cursorOf(before);
      const read = (after: LogCursor) => store.readAll({ after, limit: 1 });

      const held = await openAppend(notebook(tenant, 'held'), [noteWritten('held')]);
      const later = (await store.append(notebook(tenant, 'b'), [noteWritten('later')])).events;
      expect(await store.readAll({ after: start })).toEqual({ events: [], cursor: start });

      await finish('ROLLBACK');

      const seen = await followLog(read, start, 1);
      expect(idsOf(seen)).toEqual(idsOf(later));
      expect(idsOf(seen)).not.toContain(held[0].eventId);
      expect(await store.readStream(notebook(tenant, 'held'))).toEqual([]);
    });

    it('does not fence a reader on an earlier transaction that has not written yet', async () => {
      const tenant = `tenant-${randomUUID()}`;
      const [before] = (await store.append(notebook(tenant, 'a'), [noteWritten('before')])).events;
      writing = await db.pool.connect();
      await writing.query('BEGIN');
      await writing.query('SELECT count(*) FROM events');

      const later = (await store.append(notebook(tenant, 'b'), [noteWritten('later')])).events;

      const seen = await followLog((after) => store.readAll({ after }), cursorOf(before), 1);
      expect(idsOf(seen)).toEqual(idsOf(later));
      const held = (await store.appendWithin(writing, notebook(tenant, 'held'), [noteWritten('held')])).events;
      await finish('COMMIT');
      expect(idsOf(await followLog((after) => store.readAll({ after }), cursorOf(later[0]), 1))).toEqual(idsOf(held));
    });
  });

  describe('readByType, when a later transaction commits while an earlier one is open', () => {
    it('returns neither until the earlier one commits, then both, once each, earlier first', async () => {
      const tenant = `tenant-${randomUUID()}`;
      const [before] = (await store.append(notebook(tenant, 'a'), [noteWritten('before')])).events;
      const start = cursorOf(before);
      const read = async (after: LogCursor) => {
        const events = await store.readByType(tenant, 'note.written', { after, limit: 1 });
        return { events, cursor: events.length > 0 ? cursorOf(events.at(-1)!) : after };
      };

      const held = await openAppend(notebook(tenant, 'held'), [noteWritten('held')]);
      const later = (await store.append(notebook(tenant, 'b'), [noteWritten('later 1'), noteWritten('later 2')])).events;
      expect(await store.readByType(tenant, 'note.written', { after: start })).toEqual([]);

      await finish('COMMIT');

      const seen = await followLog(read, start, 3);
      expect(idsOf(seen)).toEqual([...idsOf(held), ...idsOf(later)]);
    });

    it('returns the later one only after the earlier one rolls back', async () => {
      const tenant = `tenant-${randomUUID()}`;
      const [before] = (await store.append(notebook(tenant, 'a'), [noteWritten('before')])).events;
      const start = cursorOf(before);

      await openAppend(notebook(tenant, 'held'), [noteWritten('held')]);
      const later = (await store.append(notebook(tenant, 'b'), [noteWritten('later')])).events;
      expect(await store.readByType(tenant, 'note.written', { after: start })).toEqual([]);

      await finish('ROLLBACK');

      const read = async (after: LogCursor) => {
        const events = await store.readByType(tenant, 'note.written', { after });
        return { events, cursor: events.length > 0 ? cursorOf(events.at(-1)!) : after };
      };
      expect(idsOf(await followLog(read, start, 1))).toEqual(idsOf(later));
    });
  });

  describe("a projection worker's partition read, when a later transaction commits while an earlier one is open", () => {
    it('returns neither until the earlier one commits, then both, once each, earlier first', async () => {
      const tenant = `tenant-${randomUUID()}`;
      const [before] = (await store.append(notebook(tenant, 'a'), [noteWritten('before')])).events;
      const start = cursorOf(before);
      const reader = new PostgresProjectionLog(db.pool, registry);
      const read = (after: LogCursor) => reader.readPartition({ types: ['note.written'], partitions: 1, served: [0], personalFields: 'opened' }, 0, after, 1);

      const held = await openAppend(notebook(tenant, 'held'), [noteWritten('held')]);
      const later = (await store.append(notebook(tenant, 'b'), [noteWritten('later 1'), noteWritten('later 2')])).events;
      expect(await read(start)).toEqual({ events: [], cursor: start, full: false });

      await finish('COMMIT');

      const seen = await followLog(read, start, 3);
      expect(idsOf(seen)).toEqual([...idsOf(held), ...idsOf(later)]);
    });
  });

  describe('when transaction ids cross a power of ten', () => {
    // Rows as transactions 9 and 10 leave them, 10 having taken the smaller position. Both
    // ids are below every real one, so these two rows open the log.
    const tenant = `tenant-${randomUUID()}`;
    const committed: { transactionId: string; eventId: string }[] = [
      { transactionId: '10', eventId: randomUUID() },
      { transactionId: '9', eventId: randomUUID() },
    ];
    beforeAll(async () => {
      for (const [index, { transactionId, eventId }] of committed.entries()) {
        await db.pool.query(
          `INSERT INTO events (event_id, tenant_id, aggregate_type, aggregate_id, version, type, schema_version,
                               data, metadata, occurred_at, transaction_id)
           VALUES ($1, $2, 'notebook', $3, 1, 'note.written', 1, '{"text":"old"}', '{"actor":{"type":"system","id":null}}',
                   now(), $4::text::xid8)`,
          [eventId, tenant, `old-${index}`, transactionId],
        );
      }
    });
    const [ten, nine] = committed.map((c) => c.eventId);

    it('reads the global log in numeric transaction order', async () => {
      const first = await store.readAll({ limit: 1 });
      const second = await store.readAll({ after: first.cursor, limit: 1 });
      expect(idsOf(first.events)).toEqual([nine]);
      expect(idsOf(second.events)).toEqual([ten]);
      expect(idsOf((await store.readAll({ limit: 2 })).events)).toEqual([nine, ten]);
    });

    it('reads by type in numeric transaction order', async () => {
      const [first] = await store.readByType(tenant, 'note.written', { limit: 1 });
      const second = await store.readByType(tenant, 'note.written', { after: cursorOf(first), limit: 1 });
      expect(first.eventId).toBe(nine);
      expect(idsOf(second)).toEqual([ten]);
    });
  });

  describe('readAll, while 8 writers append 5,000 events in random batches to random streams', () => {
    /** One run: 8 writers, one reader of the log from its start; what was appended, seen, and read while writing. */
    const race = async () => {
      const total = 5_000;
      const tenant = `tenant-${randomUUID()}`;
      const streams = Array.from({ length: 25 }, (_, i) => notebook(tenant, `book-${i}`));
      const appended: string[] = [];
      let toWrite = total;

      const writer = async () => {
        while (toWrite > 0) {
          const size = Math.min(toWrite, 1 + Math.floor(Math.random() * 5));
          toWrite -= size;
          const stream = streams[Math.floor(Math.random() * streams.length)];
          const events = Array.from({ length: size }, (_, i) => noteWritten(`note ${i}`));
          const result = await store.append(stream, events);
          appended.push(...idsOf(result.events));
        }
      };

      let writersDone = false;
      let eventsReadWhileWriting = 0;
      const reader = async (): Promise<RecordedEvent[]> => {
        const seen: RecordedEvent[] = [];
        const deadline = Date.now() + 30_000;
        let cursor = LOG_START;
        for (;;) {
          const allWritten = writersDone && seen.length >= total;
          const page = await store.readAll({ after: cursor, limit: 50 });
          const ours = page.events.filter((e) => e.tenantId === tenant);
          seen.push(...ours);
          if (!writersDone) eventsReadWhileWriting += ours.length;
          cursor = page.cursor;
          if (page.events.length === 0) {
            if (allWritten || Date.now() > deadline) return seen;
            await sleep(writersDone ? 10 : 1);
          }
        }
      };

      const reading = reader();
      await Promise.all(Array.from({ length: 8 }, writer));
      writersDone = true;
      return { total, streams, appended, seen: await reading, eventsReadWhileWriting };
    };

    it('sees every event exactly once, in an order that never goes back', async () => {
      // A run proves the reading only if it overlapped the writing: a transaction another test
      // file holds open on the shared server fences every reader of the log out for its length.
      for (let run = 1; ; run++) {
        const { total, streams, appended, seen, eventsReadWhileWriting } = await race();
        expect(appended).toHaveLength(total);
        expect(seen).toHaveLength(total);
        expect(new Set(idsOf(seen)).size).toBe(total);
        expect(new Set(idsOf(seen))).toEqual(new Set(appended));
        const cursors = seen.map(cursorOf);
        expect(cursors.every((c, i) => i === 0 || compareLogCursors(cursors[i - 1], c) < 0)).toBe(true);
        // Each stream's versions come out in order, without a gap.
        for (const stream of streams) {
          const versions = seen.filter((e) => e.aggregateId === stream.aggregateId).map((e) => e.version);
          expect(versions).toEqual(versions.map((_, i) => i + 1));
        }
        if (eventsReadWhileWriting > 500 || run === 3) {
          expect(eventsReadWhileWriting).toBeGreaterThan(500);
          return;
        }
      }
    }, 120_000);
  });
});
