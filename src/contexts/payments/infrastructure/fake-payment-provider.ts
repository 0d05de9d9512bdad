import type { BeforeApplicationShutdown } from '@nestjs/common';
import type { PaymentCharge, PaymentProvider } from '../application/payment-provider.js';
import type { ProviderCallback } from '../application/provider-callback.js';

type ChargedAmount = Pick<PaymentCharge, 'paymentId' | 'amount'>;

/**
 * What the fake provider answers, from the amount alone so tests and demos can choose:
 * ending in 13 (cents) is declined, ending in 42 never answered, anything else captured under
 * a reference derived from the payment id (so a repeated answer is the same answer).
 */
export const fakeAnswerTo = ({ paymentId, amount }: ChargedAmount): ProviderCallback | null => {
  switch (amount % 100) {
    case 13:
      return { outcome: 'failed', reason: 'card declined (fake provider: amounts ending in 13)' };
    case 42:
      return null;
    default:
      return { outcome: 'captured', providerReference: `fake_${paymentId}` };
  }
};

/** Where the fake delivers its answers, as a provider's callback would. */
export type DeliverCallback = (charge: PaymentCharge, callback: ProviderCallback) => Promise<void>;

/**
 * A deterministic stand-in for a real payment provider, in this process: it answers each
 * charge `delayMs` later through `deliver`. It charges a payment once however often it is
 * asked (a real provider does so by the idempotency key). Its pending answers live in memory,
 * as a real provider's live on its side: a process that stops forgets them (see
 * `ProviderCharges` for how a still-requested payment is charged again).
 */
export class FakePaymentProvider implements PaymentProvider, BeforeApplicationShutdown {
  private readonly charged = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly deliveries = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly deliver: DeliverCallback,
    private readonly delayMs: number,
  ) {}

  charge(charge: PaymentCharge): void {
    // Thrown, so the worker does not count the charge as handed over and tries again later.
    if (this.stopped) throw new Error('The fake payment provider has stopped');
    const key = `${charge.practiceId}\u0000${charge.paymentId}`;
    if (this.charged.has(key)) return;
    this.charged.add(key);
    const answer = fakeAnswerTo(charge);
    if (!answer) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const delivery = this.deliver(charge, answer).finally(() => this.deliveries.delete(delivery));
      this.deliveries.add(delivery);
    }, this.delayMs);
    this.timers.add(timer);
  }

  /** With the app: drops the answers not yet due, and waits for those on their way, so none lands on a closed pool. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.deliveries]);
  }
}
