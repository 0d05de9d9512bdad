import { defineSaga, sendTo } from '../sagas/saga.js';
import { depositSaga, orders, payments, type DepositEvent } from '../sagas/order-deposit.fixtures.js';
import { inMemorySagas } from './in-memory-sagas.js';
import { recordedEvent } from './recorded-event.js';
import { sagaSpec } from './saga-spec.js';

/**
 * writing-a-saga.md §4: "Every given message must reach the instance, so a spec cannot pass on
 * a history the saga ignores." A saga whose `correlate` sends an event to no instance (or to
 * another one) is one the runtime never runs; its spec must not pass.
 */
// An author's slip: only events carrying a deposit find their instance (payment.captured has none).
const misCorrelated = defineSaga({
  ...depositSaga,
  correlate: (event) => ('deposit' in event.data && event.data.deposit !== null ? event.data.orderId : null),
});

const placed = recordedEvent<DepositEvent>(
  { type: 'order.placed', data: { orderId: 'o-1', deposit: 50 } },
  { aggregateType: 'order', aggregateId: 'o-1' },
);
const captured = recordedEvent<DepositEvent>(
  { type: 'payment.captured', data: { orderId: 'o-1' } },
  { aggregateType: 'payment', aggregateId: 'o-1', version: 2 },
);
const confirm = sendTo(orders, { type: 'ConfirmOrder', data: { orderId: 'o-1', reason: 'deposit paid' } });

describe('sagaSpec, routing each event through the saga\'s correlate as the runtime does', () => {
  it('is proven broken by the runtime: the captured payment never reaches the instance, the order is never confirmed', async () => {
    const world = inMemorySagas([misCorrelated], orders, payments);
    await world.store.append(orders.streamOf('tenant-1', 'o-1'), [
      { type: 'order.placed', data: { orderId: 'o-1', deposit: 50 }, metadata: { actor: { type: 'human', id: 'u' } } },
    ]);
    await world.settle();
    await world.store.append(payments.streamOf('tenant-1', 'o-1'), [
      { type: 'payment.captured', data: { orderId: 'o-1' }, metadata: { actor: { type: 'human', id: 'u' } } },
    ]);
    await world.settle();
    expect((await world.store.readStream(orders.streamOf('tenant-1', 'o-1'))).map((e) => e.type)).toEqual(['order.placed']);
  });

  it('fails the scenario the runtime would never play: the capture reaches no instance', () => {
    expect(() =>
      sagaSpec(misCorrelated).given(placed).when(captured).then({ send: [confirm], cancelDeadlines: ['deposit'] }),
    ).toThrow('payment.captured reaches no instance: the saga does not correlate payment.captured (correlate returned null)');
  });

  it('refuses a history with an event the saga does not correlate', () => {
    expect(() => sagaSpec(misCorrelated).given(placed, captured).when(placed).thenIgnores()).toThrow(
      'The given payment.captured reaches no instance',
    );
  });

  it('refuses a given message whose key is another instance than the first one (events of two instances mixed)', () => {
    const otherOrder = recordedEvent<DepositEvent>(
      { type: 'payment.captured', data: { orderId: 'o-2' } },
      { aggregateType: 'payment', aggregateId: 'o-2', version: 2 },
    );
    // o-2's capture confirms o-1 in the spec; in the runtime it reaches (and starts) nothing.
    expect(() =>
      sagaSpec(depositSaga).given(placed).when(otherOrder).then({ send: [confirm], cancelDeadlines: ['deposit'] }),
    ).toThrow('payment.captured correlates with instance o-2, not o-1 of the messages before it: a spec follows one instance');
  });
});
