import 'reflect-metadata';
import { IsInt, IsOptional, IsString } from 'class-validator';
import { defineAggregate } from '../aggregates/aggregate.js';
import { byCommandType, type Command, type Decider, type DomainEvent } from '../domain/decider.js';
import { domainError } from '../domain/domain-error.js';
import { deadlineAfter, defineSaga, sendTo, type SagaMessage } from './saga.js';

// Two tiny aggregates for the saga to command: an order and its payment.
export type OrderPlaced = DomainEvent<'order.placed', { orderId: string; deposit: number | null }>;
export type OrderClosed = DomainEvent<'order.confirmed' | 'order.cancelled', { reason: string }>;
export type OrderCommand = Command<'ConfirmOrder' | 'CancelOrder', { orderId: string; reason: string }>;
export type PaymentEvent = DomainEvent<'payment.captured' | 'payment.failed', { orderId: string }>;
export type PaymentCommand = Command<'RequestPayment' | 'VoidPayment', { orderId: string; amount: number }>;

export class OrderClosedAlready extends domainError('conflict', 'ORDER_CLOSED') {}

const closeOrder = (command: OrderCommand, closed: boolean): OrderClosed[] => {
  if (closed) throw new OrderClosedAlready(`Order ${command.data.orderId} is closed`);
  const type = command.type === 'ConfirmOrder' ? 'order.confirmed' : 'order.cancelled';
  return [{ type, data: { reason: command.data.reason } }];
};
/** Placed orders come from outside (appended as they are); commands only close them, once. */
const orderDecider: Decider<boolean, OrderCommand, OrderPlaced | OrderClosed> = {
  initialState: false,
  decide: byCommandType({ ConfirmOrder: closeOrder, CancelOrder: closeOrder }),
  evolve: (closed, event) => closed || event.type !== 'order.placed',
};
class Placed {
  @IsString() orderId!: string;
  @IsOptional() @IsInt() deposit!: number | null;
}
class Reason {
  @IsString() reason!: string;
}
export const orders = defineAggregate({
  type: 'order',
  decider: orderDecider,
  idOf: (command) => command.data.orderId,
  events: { 'order.placed': Placed, 'order.confirmed': Reason, 'order.cancelled': Reason },
});
type PaymentDecided = DomainEvent<'payment.requested' | 'payment.voided', { amount: number }>;
const paymentDecider: Decider<null, PaymentCommand, PaymentDecided | PaymentEvent> = {
  initialState: null,
  decide: ({ type, data }) => [{ type: type === 'RequestPayment' ? 'payment.requested' : 'payment.voided', data: { amount: data.amount } }],
  evolve: () => null,
};
class Amount {
  @IsInt() amount!: number;
}
class OrderRef {
  @IsString() orderId!: string;
}
export const payments = defineAggregate({
  type: 'payment',
  decider: paymentDecider,
  idOf: (command) => command.data.orderId,
  events: { 'payment.requested': Amount, 'payment.voided': Amount, 'payment.captured': OrderRef, 'payment.failed': OrderRef },
});

// The saga under test: a deposit paid within 15 minutes confirms the order; otherwise it is cancelled.
export type DepositEvent = OrderPlaced | OrderClosed | PaymentEvent;
type Deposit =
  | { status: 'none' }
  /** `closing`: the saga has sent the order's confirmation or cancellation, and waits for it. */
  | { status: 'awaiting' | 'closing'; orderId: string; deposit: number }
  | { status: 'ended' };

export const depositSaga = defineSaga<Deposit, DepositEvent>({
  name: 'order-deposit',
  startedBy: ['order.placed'],
  follows: ['payment.captured', 'payment.failed', 'order.confirmed', 'order.cancelled'],
  correlate: (event) => {
    if (event.type === 'order.placed' && event.data.deposit === null) return null;
    return 'orderId' in event.data ? event.data.orderId : event.aggregateId;
  },
  initialState: { status: 'none' },
  evolve: (state, message) => {
    if (message.type === 'order.placed') return { status: 'awaiting', orderId: message.data.orderId, deposit: message.data.deposit ?? 0 };
    if (state.status === 'awaiting' && message.type.startsWith('payment.')) return { ...state, status: 'closing' };
    if (state.status === 'awaiting' && message.type === 'deadline.reached') return { ...state, status: 'closing' };
    return { status: 'ended' };
  },
  react: (message: SagaMessage<DepositEvent>, state) => {
    if (message.type === 'order.placed') {
      const { orderId, deposit } = message.data;
      return {
        send: [sendTo(payments, { type: 'RequestPayment', data: { orderId, amount: deposit ?? 0 } })],
        setDeadlines: [deadlineAfter('deposit', 900, message)],
      };
    }
    if (state.status !== 'awaiting' && state.status !== 'closing') return {};
    const { orderId, deposit } = state;
    const voidPayment = sendTo(payments, { type: 'VoidPayment', data: { orderId, amount: deposit } });
    switch (message.type) {
      case 'payment.captured':
        return { send: [sendTo(orders, { type: 'ConfirmOrder', data: { orderId, reason: 'deposit paid' } })], cancelDeadlines: ['deposit'] };
      case 'payment.failed':
        return { send: [sendTo(orders, { type: 'CancelOrder', data: { orderId, reason: 'deposit failed' } })] };
      case 'deadline.reached':
        return { send: [sendTo(orders, { type: 'CancelOrder', data: { orderId, reason: 'no deposit in time' } }), voidPayment] };
      case 'command.refused': // the order closed before the saga's command reached it: give the money back
        return { send: [voidPayment] };
      default:
        return {};
    }
  },
  isDone: (state) => state.status === 'ended',
});
