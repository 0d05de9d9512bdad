import { inMemoryAggregates } from '../../event-sourcing/testing/index.js';
import { ReservationClosed } from './domain/reservation.errors.js';
import {
  at,
  cancelReservation,
  confirmReservation,
  createReservation,
  NOW,
  PRACTICE_ID,
  REASON,
  RESERVATION_ID,
} from './domain/reservation.fixtures.js';
import type { ReservationRow } from './infrastructure/reservation-list.projection.js';
import { reservations } from './reservation.aggregate.js';

/** The reservation aggregate as registered, on the app's command path in memory: commands, events and the inline list. */
describe('the reservation aggregate, in memory', () => {
  const LATER = '2027-03-02T10:00:00.000Z';

  it('creates and confirms a reservation; the list row follows each command', async () => {
    const { repository, store, readModels } = inMemoryAggregates(reservations);

    await repository.execute(reservations, createReservation());
    const confirmed = await repository.execute(reservations, confirmReservation(at(LATER)));

    expect(confirmed).toMatchObject({ version: 2, state: { status: 'confirmed' } });
    expect((await store.readStream(reservations.streamOf(PRACTICE_ID, RESERVATION_ID))).map((e) => e.type)).toEqual([
      'reservation.created',
      'reservation.confirmed',
    ]);
    expect(readModels.rows<ReservationRow>('reservations')).toEqual([
      expect.objectContaining({
        practice_id: PRACTICE_ID,
        reservation_id: RESERVATION_ID,
        status: 'confirmed',
        check_in_date: '2027-03-10',
        check_out_date: '2027-03-13',
        version: 2,
        created_at: NOW,
        updated_at: LATER,
      }),
    ]);
  });

  it('refuses a command the rules forbid, and writes neither events nor rows', async () => {
    const { repository, store, readModels } = inMemoryAggregates(reservations);
    await repository.execute(reservations, createReservation());
    await repository.execute(reservations, cancelReservation(REASON));
    const before = readModels.rows('reservations');

    await expect(repository.execute(reservations, confirmReservation())).rejects.toBeInstanceOf(ReservationClosed);

    expect(await store.streamVersion(reservations.streamOf(PRACTICE_ID, RESERVATION_ID))).toBe(2);
    expect(readModels.rows('reservations')).toEqual(before);
  });

  it('answers 409 with the expected version when If-Match is stale', async () => {
    const { repository } = inMemoryAggregates(reservations);
    await repository.execute(reservations, createReservation());

    await expect(repository.execute(reservations, confirmReservation(), { expectedVersion: 0 })).rejects.toMatchObject({
      code: 'CONCURRENCY_CONFLICT',
    });
  });
});
