import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PoolClient } from 'pg';
import type { DomainEvent } from '../../src/event-sourcing/domain/decider.js';
import { asyncFold } from '../../src/event-sourcing/projections/async-fold.projection.js';
import { identityTables } from '../../src/event-sourcing/projections/async-projection.js';
import type { EventOf } from '../../src/event-sourcing/store/event-envelope.js';
import { inTransaction } from '../../src/event-sourcing/store/in-transaction.js';
import { recordedEvent } from '../../src/event-sourcing/testing/recorded-event.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

type Joined = DomainEvent<'guest.joined', { day: string }>;
type DayCleared = DomainEvent<'day.cleared', { day: string }>;
type DayEvent = Joined | DayCleared;
interface DayRow extends Record<string, unknown> {
  practice_id: string;
  day: string;
  joined: number;
}

/**
 * An async fold keyed across streams (guests joined per practice and day, each guest its own
 * stream), as adding-an-aggregate.md §10 has it for views across streams: its partitions commit
 * apart, so two of them fold into one row at once, and neither may lose the other's events.
 */
describe('an async fold whose key spans streams, folded by two partitions at once', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query(`CREATE TABLE day_joins (practice_id text, day date, joined int NOT NULL, PRIMARY KEY (practice_id, day))`);
  });
  afterAll(() => db.drop());

  const dayJoins = asyncFold<DayRow, DayEvent>({
    name: 'day_joins',
    handles: ['guest.joined', 'day.cleared'],
    table: 'day_joins',
    keyColumns: ['practice_id', 'day'],
    keyOf: (event) => [event.tenantId, event.data.day],
    evolve: (row, event) =>
      event.type === 'day.cleared' ? null : { practice_id: event.tenantId, day: event.data.day, joined: (row?.joined ?? 0) + 1 },
  });
  const DAY = '2027-03-10';
  let position = 0;
  /** An event of its own stream (one guest, or the practice's day), so partitions may take it apart from the others. */
  const eventOf = (tenantId: string, event: DayEvent, stream = randomUUID()): EventOf<DayEvent> => {
    position += 1;
    return recordedEvent(event, { tenantId, aggregateId: stream, position, transactionId: String(position) });
  };
  const joined = (tenantId: string, day = DAY) => eventOf(tenantId, { type: 'guest.joined', data: { day } });
  const cleared = (tenantId: string) => eventOf(tenantId, { type: 'day.cleared', data: { day: DAY } });
  const apply = (client: PoolClient, events: readonly EventOf<DayEvent>[]) => dayJoins.apply(client, events, identityTables(dayJoins));
  const daysOf = async (tenantId: string) =>
    (await db.pool.query('SELECT day::text, joined FROM day_joins WHERE practice_id = $1 ORDER BY day', [tenantId])).rows;

  /**
   * Runs what the engine runs per partition: the first partition's batch, left uncommitted; the
   * second's, until it waits for the first's row; then commits both, the first first.
   */
  const twoPartitions = async (first: readonly EventOf<DayEvent>[], second: readonly EventOf<DayEvent>[]): Promise<void> => {
    const [one, two] = [await db.pool.connect(), await db.pool.connect()];
    try {
      const twoPid = (await two.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      await one.query('BEGIN');
      await apply(one, first);
      await two.query('BEGIN');
      const secondDone = apply(two, second).then(() => two.query('COMMIT'));
      secondDone.catch(() => undefined); // awaited below, after the first commits
      for (let tries = 0; tries < 500; tries++) {
        const { rowCount } = await db.pool.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`, [twoPid]);
        if (rowCount) break;
        await sleep(10);
      }
      await one.query('COMMIT');
      await secondDone;
    } finally {
      await one.query('ROLLBACK').catch(() => undefined);
      await two.query('ROLLBACK').catch(() => undefined);
      one.release();
      two.release();
    }
  };

  it('runs on several partitions by default', () => {
    expect(dayJoins.partitions).toBeGreaterThan(1);
  });

  it('counts both joins when both partitions create the same day', async () => {
    const practice = randomUUID();
    await twoPartitions([joined(practice)], [joined(practice)]);
    expect(await daysOf(practice)).toEqual([{ day: DAY, joined: 2 }]);
  });

  it('counts both joins when both partitions change a day that was there', async () => {
    const practice = randomUUID();
    await inTransaction(db.pool, (client) => apply(client, [joined(practice)]));
    await twoPartitions([joined(practice)], [joined(practice)]);
    expect(await daysOf(practice)).toEqual([{ day: DAY, joined: 3 }]);
  });

  it('counts from nothing the join that waited for the other partition to remove the day', async () => {
    const practice = randomUUID();
    await inTransaction(db.pool, (client) => apply(client, [joined(practice), joined(practice)]));
    await twoPartitions([cleared(practice)], [joined(practice)]);
    expect(await daysOf(practice)).toEqual([{ day: DAY, joined: 1 }]);
  });

  it('creates some days and changes others in one batch, and keeps the rows the other partition created meanwhile', async () => {
    const practice = randomUUID();
    await inTransaction(db.pool, (client) => apply(client, [joined(practice, '2027-03-01')]));
    await twoPartitions(
      [joined(practice, '2027-03-02'), joined(practice, '2027-03-03')],
      [joined(practice, '2027-03-01'), joined(practice, '2027-03-03'), joined(practice, '2027-03-04'), joined(practice, '2027-03-03')],
    );
    expect(await daysOf(practice)).toEqual([
      { day: '2027-03-01', joined: 2 },
      { day: '2027-03-02', joined: 1 },
      { day: '2027-03-03', joined: 3 },
      { day: '2027-03-04', joined: 1 },
    ]);
  });
});
