import type { EventOf } from '../../src/event-sourcing/index.js';
import { identityTables } from '../../src/event-sourcing/projections/async-projection.js';
import { inTransaction } from '../../src/event-sourcing/store/in-transaction.js';
import { recordedEvent } from '../../src/event-sourcing/testing/index.js';
import { occupancyProjection } from '../../src/contexts/reservations/infrastructure/occupancy.projection.js';
import type { ReservationEvent } from '../../src/contexts/reservations/domain/reservation.events.js';
import {
  reservationCancelled,
  reservationChanged,
  reservationConfirmed,
  reservationCreated,
} from '../../src/contexts/reservations/domain/reservation.fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const tables = identityTables(occupancyProjection);

/**
 * Occupancy's batch fold: whatever batches the log comes in (several stays' events interleaved,
 * a stay's runs of events split across batches), the read model ends up as if each event had
 * been applied alone, in log order.
 */
describe('occupancy projection batches', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(2);
  });
  afterAll(() => db.drop());

  const versions = new Map<string, number>();
  const event = (practice: string, reservation: string, domainEvent: ReservationEvent): EventOf<ReservationEvent> => {
    const key = `${practice}/${reservation}`;
    const version = (versions.get(key) ?? 0) + 1;
    versions.set(key, version);
    return recordedEvent(domainEvent, { tenantId: practice, aggregateType: 'reservation', aggregateId: reservation, version });
  };

  // Three stays of two practices, in runs of one stay's events and interleaved.
  const log = [
    event('p1', 'r1', reservationCreated({ checkInDate: '2027-03-10', nights: 3 })),
    event('p1', 'r1', reservationChanged({ checkInDate: '2027-03-11', nights: 2 })),
    event('p1', 'r2', reservationCreated({ checkInDate: '2027-03-11', nights: 4 })),
    event('p1', 'r1', reservationChanged({ checkInDate: '2027-03-12', nights: 5 })),
    event('p2', 'r1', reservationCreated({ checkInDate: '2027-03-10', nights: 1 })),
    event('p1', 'r2', reservationConfirmed()),
    event('p1', 'r2', reservationChanged({ checkInDate: '2027-03-09', nights: 2 })),
    event('p1', 'r1', reservationCancelled()),
    event('p1', 'r1', reservationChanged({ checkInDate: '2027-03-20', nights: 2 })),
    event('p2', 'r1', reservationChanged({ checkInDate: '2027-03-11', nights: 2 })),
    event('p2', 'r1', reservationChanged({ checkInDate: '2027-03-12', nights: 2 })),
  ];

  const readModel = async () => {
    const { rows: days } = await db.pool.query(`SELECT practice_id, day::text, reserved FROM occupancy_days WHERE reserved <> 0 ORDER BY 1, 2`);
    const { rows: stays } = await db.pool.query(`SELECT practice_id, reservation_id, check_in_date::text, nights, counted FROM occupancy_stays ORDER BY 1, 2`);
    return { days, stays };
  };

  const applyIn = async (batches: readonly (readonly EventOf<ReservationEvent>[])[]) => {
    await db.pool.query(`TRUNCATE occupancy_days, occupancy_stays`);
    for (const batch of batches) await inTransaction(db.pool, (client) => occupancyProjection.apply(client, batch, tables));
    return readModel();
  };

  it('ends as each event applied alone, in one batch or split anywhere', async () => {
    const oneByOne = await applyIn(log.map((e) => [e]));
    expect(oneByOne.days).toEqual([
      { practice_id: 'p1', day: '2027-03-09', reserved: 1 },
      { practice_id: 'p1', day: '2027-03-10', reserved: 1 },
      { practice_id: 'p2', day: '2027-03-12', reserved: 1 },
      { practice_id: 'p2', day: '2027-03-13', reserved: 1 },
    ]);
    expect(await applyIn([log])).toEqual(oneByOne);
    for (const cut of [1, 2, 3, 4, 7, 9]) expect(await applyIn([log.slice(0, cut), log.slice(cut)])).toEqual(oneByOne);
  });

  it('counts the nights of a practice whose id holds quotes, a backslash, braces and commas (or reads NULL)', async () => {
    const odd = ['p "1", {a} \\ b', 'NULL'];
    const { days } = await applyIn([
      odd.map((practice) => event(practice, 'r9', reservationCreated({ checkInDate: '2027-04-01', nights: 1 }))),
    ]);
    expect(days).toEqual(odd.map((practice_id) => ({ practice_id, day: '2027-04-01', reserved: 1 })).sort((a, b) => (a.practice_id < b.practice_id ? -1 : 1)));
  });
});
