import { recordedEvent } from '../testing/recorded-event.js';
import { sagaSpec } from '../testing/saga-spec.js';
import { depositSaga, orders, payments, type OrderClosed, type OrderPlaced, type PaymentEvent } from './order-deposit.fixtures.js';
import { commandRefused, deadlineReached, sendTo } from './saga.js';
import { sagaStep } from './saga-step.js';

const AT = new Date('2027-01-01T09:00:00.000Z');
// Every event of one instance: the order o-1's, and its payment's (the saga's correlate finds o-1 in both).
const onOrder = { aggregateType: 'order', aggregateId: 'o-1' };
const placed = (deposit: number | null = 5000) =>
  recordedEvent<OrderPlaced>({ type: 'order.placed', data: { orderId: 'o-1', deposit } }, onOrder);
const payment = (type: PaymentEvent['type']) =>
  recordedEvent<PaymentEvent>({ type, data: { orderId: 'o-1' } }, { aggregateType: 'payment', aggregateId: 'o-1', version: 2 });
const closedByHand = recordedEvent<OrderClosed>({ type: 'order.cancelled', data: { reason: 'guest called' } }, { ...onOrder, version: 3 });

describe('a saga, given/when/then', () => {
  const { given } = sagaSpec(depositSaga);

  describe('with no instance', () => {
    it('starts on an order with a deposit: requests the payment and sets the deadline', () =>
      given()
        .when(placed())
        .then({
          send: [sendTo(payments, { type: 'RequestPayment', data: { orderId: 'o-1', amount: 5000 } })],
          setDeadlines: [{ name: 'deposit', at: new Date(AT.getTime() + 900_000) }],
        }));

    it('ignores an event that only follows an instance', () => given().when(payment('payment.captured')).thenIgnores());
  });

  describe('awaiting the deposit', () => {
    it('confirms the order when the payment is captured, and drops its deadline', () =>
      given(placed())
        .when(payment('payment.captured'))
        .then({
          send: [sendTo(orders, { type: 'ConfirmOrder', data: { orderId: 'o-1', reason: 'deposit paid' } })],
          cancelDeadlines: ['deposit'],
        }));

    it('cancels the order when the payment fails', () =>
      given(placed())
        .when(payment('payment.failed'))
        .then({ send: [sendTo(orders, { type: 'CancelOrder', data: { orderId: 'o-1', reason: 'deposit failed' } })] }));

    it('compensates when the deadline passes: cancels the order and voids the payment', () =>
      given(placed())
        .when(deadlineReached('deposit', new Date(AT.getTime() + 900_000)))
        .then({
          send: [
            sendTo(orders, { type: 'CancelOrder', data: { orderId: 'o-1', reason: 'no deposit in time' } }),
            sendTo(payments, { type: 'VoidPayment', data: { orderId: 'o-1', amount: 5000 } }),
          ],
        }));

    it('ends quietly when the order is closed by hand', () => given(placed()).when(closedByHand).then({ ends: true }));
  });

  describe('closing the order', () => {
    it('ends when the order it confirmed is confirmed', () =>
      given(placed(), payment('payment.captured'))
        .when(recordedEvent<OrderClosed>({ type: 'order.confirmed', data: { reason: 'deposit paid' } }, { ...onOrder, version: 3 }))
        .then({ ends: true }));

    it('compensates a refused confirmation: voids the payment, and ends', () =>
      given(placed(), payment('payment.captured'))
        .when(commandRefused('ConfirmOrder', 'ORDER_CLOSED', 'Order o-1 is closed', AT))
        .then({ send: [sendTo(payments, { type: 'VoidPayment', data: { orderId: 'o-1', amount: 5000 } })], ends: true }));
  });

  describe('ended', () => {
    it('ignores a late payment', () => given(placed(), closedByHand).when(payment('payment.captured')).thenIgnores());
    it('ignores its deadline', () => given(placed(), closedByHand).when(deadlineReached('deposit', AT)).thenIgnores());
  });
});

describe('sagaStep', () => {
  const started = () => sagaStep(depositSaga, null, { key: 'o-1', event: placed() });

  it('gives a re-handled message the same command ids, so the aggregate recognises the re-send', () => {
    expect(started()!.commands.map((c) => c.commandId)).toEqual(started()!.commands.map((c) => c.commandId));
    const other = sagaStep(depositSaga, null, { key: 'o-2', event: placed() });
    expect(other!.commands[0].commandId).not.toBe(started()!.commands[0].commandId);
  });

  it("sends each command in the event's tenant, correlated with it and caused by it", () => {
    const event = recordedEvent<OrderPlaced>(
      { type: 'order.placed', data: { orderId: 'o-1', deposit: 10 } },
      { tenantId: 't-9', eventId: '11111111-1111-4111-8111-111111111111', metadata: { actor: { type: 'human', id: 'u' }, correlationId: 'c-7' } },
    );
    expect(sagaStep(depositSaga, null, { key: 'o-1', event })!.commands[0]).toMatchObject({
      tenantId: 't-9',
      correlationId: 'c-7',
      causationId: '11111111-1111-4111-8111-111111111111',
    });
  });

  it('drops every deadline of an instance that ends', () => {
    const ended = sagaStep(depositSaga, started()!.instance, { key: 'o-1', event: closedByHand });
    expect(ended).toMatchObject({ instance: { done: true }, cancelDeadlines: 'all', setDeadlines: [] });
  });

  it('has no instance for an order without a deposit', () => {
    expect(depositSaga.correlate(placed(null))).toBeNull();
  });
});
