import { inMemorySagas } from '../../../../event-sourcing/testing/index.js';
import { payments, type PaymentCommand } from '../../../payments/public-api.js';
import { cancelReservation, createReservation, metadata, PRACTICE_ID, RESERVATION_ID } from '../../domain/reservation.fixtures.js';
import { reservations } from '../../reservation.aggregate.js';
import { reservationDepositSaga } from './reservation-deposit.saga.js';

/** The deposit process whole, in memory: the saga, the reservation and the payment, with their commands sent for real. */
describe('a reservation with a deposit, in memory', () => {
  const saga = reservationDepositSaga(900);
  const DUE = new Date('2027-03-01T09:15:00.000Z'); // 900 s after the fixtures' reservation was made

  const start = async () => {
    const world = inMemorySagas([saga], reservations, payments);
    await world.repository.execute(reservations, createReservation({ deposit: { amount: 5000, currency: 'EUR' } }));
    await world.settle();
    return world;
  };
  type World = Awaited<ReturnType<typeof start>>;
  const pay = async (world: World, command: Omit<PaymentCommand, 'metadata'>) => {
    await world.repository.execute(payments, { ...command, metadata: metadata() } as PaymentCommand);
    await world.settle();
  };
  const captured = { type: 'CapturePayment', data: { paymentId: RESERVATION_ID, providerReference: 'psp-1' } } as const;
  const typesOf = async (world: World, aggregate: typeof reservations | typeof payments) =>
    (await world.store.readStream(aggregate.streamOf(PRACTICE_ID, RESERVATION_ID))).map((e) => e.type);

  it('requests the deposit, then confirms the reservation once it is captured', async () => {
    const world = await start();
    expect(await typesOf(world, payments)).toEqual(['payment.requested']);
    expect(world.pendingDeadlines()).toEqual([expect.objectContaining({ name: 'deposit', at: DUE })]);

    await pay(world, captured);

    expect(await typesOf(world, reservations)).toEqual(['reservation.created', 'reservation.confirmed']);
    expect(world.instance(saga, PRACTICE_ID, RESERVATION_ID)).toMatchObject({ done: true, state: { outcome: 'paid' } });
    expect(world.pendingDeadlines()).toEqual([]);
  });

  it('cancels the reservation when the payment fails', async () => {
    const world = await start();
    await pay(world, { type: 'FailPayment', data: { paymentId: RESERVATION_ID, reason: 'card declined' } });

    const [, cancelled] = await world.store.readStream(reservations.streamOf(PRACTICE_ID, RESERVATION_ID));
    expect(cancelled).toMatchObject({ type: 'reservation.cancelled', data: { reason: 'Deposit payment failed: card declined' } });
  });

  it('cancels the reservation and voids the payment when the deadline passes, and only then', async () => {
    const world = await start();
    await world.fireDeadlinesDueBy(new Date(DUE.getTime() - 1));
    expect(await typesOf(world, reservations)).toEqual(['reservation.created']);

    await world.fireDeadlinesDueBy(DUE);

    expect(await typesOf(world, reservations)).toEqual(['reservation.created', 'reservation.cancelled']);
    expect(await typesOf(world, payments)).toEqual(['payment.requested', 'payment.voided']);
  });

  it('confirms a reservation whose deposit was captured in time, though the saga had not read the capture when the deadline fell due', async () => {
    const world = await start();
    // Recorded a minute before the deadline; the saga's subscription lags (or every worker was down).
    const inTime = metadata({ now: new Date(DUE.getTime() - 60_000).toISOString(), actor: { type: 'system', id: 'payment-provider' } });
    await world.repository.execute(payments, { ...captured, metadata: inTime });

    await world.fireDeadlinesDueBy(DUE);

    expect({ reservation: await typesOf(world, reservations), payment: await typesOf(world, payments) }).toEqual({
      reservation: ['reservation.created', 'reservation.confirmed'],
      payment: ['payment.requested', 'payment.captured'],
    });
  });

  it('voids a captured deposit once when the reservation was cancelled by hand before the saga confirmed it', async () => {
    const world = await start();
    // Captured and cancelled before the saga hears of either: its confirmation is refused.
    await world.repository.execute(payments, { ...captured, metadata: metadata() });
    await world.repository.execute(reservations, cancelReservation('guest called'));
    await world.settle();

    expect(await typesOf(world, payments)).toEqual(['payment.requested', 'payment.captured', 'payment.voided']);
    expect(await typesOf(world, reservations)).toEqual(['reservation.created', 'reservation.cancelled']);
    expect(world.instance(saga, PRACTICE_ID, RESERVATION_ID)).toMatchObject({ done: true, state: { outcome: 'refunded' } });
  });
});
