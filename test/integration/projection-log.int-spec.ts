import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { IsString } from 'class-validator';
import { partitionOf } from '../../src/event-sourcing/subscriptions/partition.js';
import { PostgresSubscriptionLog as PostgresProjectionLog, type PartitionFilter } from '../../src/event-sourcing/subscriptions/subscription-log.js';
import type { NewEvent, RecordedEvent, StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import { EventRegistry } from '../../src/event-sourcing/store/event-registry.js';
import type { LogCursor } from '../../src/event-sourcing/store/log-cursor.js';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

class Note {
  @IsString() text!: string;
}

const registry = new EventRegistry().register({ type: 'note.written', payload: Note }, { type: 'note.starred', payload: Note });

const note = (type: string, text: string): NewEvent => ({
  eventId: randomUUID(),
  type,
  data: { text },
  metadata: { actor: { type: 'human', id: 'user-1' } },
});

const notebook = (tenantId: string, name: string): StreamId => ({ tenantId, aggregateType: 'notebook', aggregateId: name });
const cursorOf = (event: RecordedEvent): LogCursor => ({ transactionId: event.transactionId, position: event.position });

/**
 * The reader projection workers use: the types and partitions are filtered in PostgreSQL, and
 * a partition must get exactly what filtering EventStore.readAll would give it, in the same
 * order, its cursor moving past other partitions' rows. (Its fence: gap-free-reading.int-spec.ts.)
 */
describe('projection log (a partition of the global log, filtered in PostgreSQL)', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let reader: PostgresProjectionLog;
  beforeAll(async () => {
    db = await createTestDatabase(4);
    store = new PostgresEventStore(db.pool, registry);
    reader = new PostgresProjectionLog(db.pool, registry);
  });
  afterAll(() => db.drop());

  /** Pages one partition from `after` until a read scans nothing; `scanLimit` rows a read. */
  const follow = async (filter: PartitionFilter, partition: number, after: LogCursor, scanLimit: number) => {
    const events: RecordedEvent[] = [];
    let cursor = after;
    for (;;) {
      const page = await reader.readPartition(filter, partition, cursor, scanLimit);
      events.push(...page.events);
      if (page.cursor.transactionId === cursor.transactionId && page.cursor.position === cursor.position) return { events, cursor };
      cursor = page.cursor;
    }
  };

  it("gives each partition its own streams' events of the handled types, as readAll has them, and every cursor reaches the head", async () => {
    const tenant = `tenant-${randomUUID()}`;
    const [first] = (await store.append(notebook(tenant, 'start'), [note('note.written', 'start')])).events;
    // 30 streams: the tenant is random, and every partition should get some (all but surely).
    for (let i = 0; i < 40; i++) {
      await store.append(notebook(tenant, `n-${i % 30}`), [note('note.written', `w ${i}`), note('note.starred', `s ${i}`)]);
    }
    // The read fence is server-wide: another test file's open transaction may hold these events back a while.
    let all: readonly RecordedEvent[] = [];
    for (const deadline = Date.now() + 15_000; all.length < 80 && Date.now() < deadline; await sleep(10)) {
      all = (await store.readAll({ after: cursorOf(first), limit: 1000 })).events;
    }
    expect(all).toHaveLength(80);
    const head = cursorOf(all.at(-1)!);
    const written = all.filter((e) => e.type === 'note.written');
    const partitionOfEvent = new Map<string, number>();
    for (const event of written) partitionOfEvent.set(event.eventId, await partitionOf(db.pool, event, 3));

    for (const served of [[0, 1, 2], [1]]) {
      const filter: PartitionFilter = { types: ['note.written'], partitions: 3, served, personalFields: 'opened' };
      for (const partition of served) {
        // A few rows per read, so pages end on other partitions' rows and on skipped types.
        const { events, cursor } = await follow(filter, partition, cursorOf(first), 5);
        expect(events).toEqual(written.filter((e) => partitionOfEvent.get(e.eventId) === partition));
        expect(cursor).toEqual(head);
      }
    }
    expect(new Set(partitionOfEvent.values())).toEqual(new Set([0, 1, 2]));
  });
});
