import { domainError } from '../domain/domain-error.js';
import { InvalidEventPayload } from '../store/event-store.errors.js';
import { refusalOf } from './saga-command-refusal.js';

class OrderClosed extends domainError('conflict', 'ORDER_CLOSED') {}
const unstorable = () => new InvalidEventPayload('payment.voided', [{ field: 'amount', constraints: ['amount must be an integer number'] }]);

describe('a saga command that failed', () => {
  it('is refused with the code of the rule its aggregate refused it by', () => {
    expect(refusalOf(new OrderClosed('Order o-1 is closed'))).toEqual({ code: 'ORDER_CLOSED', message: 'Order o-1 is closed', kind: 'conflict' });
  });

  it('is refused INVALID_EVENT_PAYLOAD when its events fail their own schema: sending it again cannot help', () => {
    expect(refusalOf(unstorable())).toEqual({ code: 'INVALID_EVENT_PAYLOAD', message: expect.stringContaining('amount') });
  });

  it('is refused so too when that failure comes wrapped in another error', () => {
    expect(refusalOf(new Error('VoidPayment decided an unstorable event', { cause: unstorable() }))).toMatchObject({ code: 'INVALID_EVENT_PAYLOAD' });
  });

  it('is no refusal when anything else failed (a deadlock, the database): it is sent again', () => {
    expect(refusalOf(new Error('deadlock detected'))).toBeNull();
  });
});
