import { Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { DependencyUnavailable } from '../../../event-sourcing/index.js';
import type {
  PaymentCharge,
  PaymentProvider,
  PaymentRefund,
  ProviderRequest,
} from '../application/payment-provider.js';
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

/**
 * Where the fake delivers its answers, as a provider's callback would. It resolves once the
 * answer is taken (recorded or refused: a 2xx or 4xx) and rejects when it was not (a 5xx):
 * then the answer is delivered again.
 */
export type DeliverCallback = (request: ProviderRequest, callback: ProviderCallback) => Promise<void>;

/** How often, and how far apart, an answer not taken is delivered: doubling from `firstDelayMs`, capped. */
export interface Redeliveries {
  /** Deliveries in all, the first included. */
  readonly deliveries: number;
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * As a provider retries a webhook its endpoint did not take: 0.25 s, 0.5 s, 1 s … at most 30 s
 * apart, 20 deliveries in about six and a half minutes. Long enough for a failover or a lock
 * held for minutes; short of the default deposit deadline (15 min), after which the saga voids
 * the payment and asks the fake to cancel the charge.
 */
export const PROVIDER_REDELIVERIES: Redeliveries = { deliveries: 20, firstDelayMs: 250, maxDelayMs: 30_000 };

/** How long to wait after the `delivery`-th delivery failed. */
export const redeliveryDelayMs = ({ firstDelayMs, maxDelayMs }: Redeliveries, delivery: number): number =>
  Math.min(maxDelayMs, firstDelayMs * 2 ** (delivery - 1));

/** An answer on its way: `requests` is where the fake forgets it once it gives up, so it is asked again. */
interface Answer {
  readonly request: ProviderRequest;
  readonly callback: ProviderCallback;
  readonly requests: Set<string>;
}

/**
 * A deterministic stand-in for a real payment provider, in this process: it answers each
 * charge and refund `delayMs` later through `deliver`. It charges a payment once however often
 * it is asked, and refunds it once (a real provider does so by the idempotency key). A
 * cancelled charge is never answered, so never captured: not when it is charged after the
 * cancellation, nor when its answer was still on its way. An answer `deliver` did not take is
 * delivered again (`redeliveries`); after the last delivery the fake forgets the request, so
 * the payment (still `requested`, or owing a refund) is asked and answered again when asked
 * again (`projections:replay payment-charges`). Its pending answers live in memory, as a real
 * provider's live on its side: a process that stops forgets them (see `ProviderCharges` for
 * how a payment still waiting is asked again).
 */
export class FakePaymentProvider implements PaymentProvider, BeforeApplicationShutdown {
  private readonly logger = new Logger('PaymentProvider');
  private readonly charged = new Set<string>();
  private readonly cancelled = new Set<string>();
  private readonly refunded = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly deliveries = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly deliver: DeliverCallback,
    private readonly delayMs: number,
    private readonly redeliveries: Redeliveries = PROVIDER_REDELIVERIES,
  ) {}

  charge(charge: PaymentCharge): void {
    if (this.cancelled.has(charge.chargeKey) || !this.accept(this.charged, charge)) return;
    const callback = fakeAnswerTo(charge);
    if (callback) this.answer({ request: charge, callback, requests: this.charged });
  }

  cancel(charge: ProviderRequest): void {
    this.requireRunning();
    this.cancelled.add(charge.chargeKey);
  }

  refund(refund: PaymentRefund): void {
    if (!this.accept(this.refunded, refund)) return;
    const callback = { outcome: 'refunded', refundReference: `fake_refund_${refund.paymentId}` } as const;
    this.answer({ request: refund, callback, requests: this.refunded });
  }

  /** Whether the request is new: the provider does what one idempotency key asks once. */
  private accept(requests: Set<string>, request: ProviderRequest): boolean {
    this.requireRunning();
    if (requests.has(request.idempotencyKey)) return false;
    requests.add(request.idempotencyKey);
    return true;
  }

  /**
   * Thrown, so the worker does not count the request as handed over and tries again later: as
   * a dependency down, not the event's failure, which would dead-letter it and stop the
   * subscription for good while the app shuts down (its retries also held the shutdown ~25 s).
   */
  private requireRunning(): void {
    if (this.stopped) throw new DependencyUnavailable('the payment provider', 'it has stopped with the app');
  }

  private answer(answer: Answer): void {
    this.after(this.delayMs, () => this.send(answer, 1));
  }

  /** With the app: drops the answers not yet due, and waits for those on their way, so none lands on a closed pool. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.deliveries]);
  }

  private after(delayMs: number, delivery: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const sent = delivery().finally(() => this.deliveries.delete(sent));
      this.deliveries.add(sent);
    }, delayMs);
    this.timers.add(timer);
  }

  /** The `delivery`-th delivery of an answer; one not taken is delivered again, or given up after the last. */
  private async send(answer: Answer, delivery: number): Promise<void> {
    const { request, callback, requests } = answer;
    // Cancelled while the answer was on its way: the charge is never captured (a refund is not a charge).
    if (callback.outcome !== 'refunded' && this.cancelled.has(request.chargeKey)) return;
    try {
      await this.deliver(request, callback);
    } catch (error) {
      const what = `${callback.outcome} of payment ${request.paymentId} not recorded`;
      const reason = error instanceof Error ? error.message : String(error);
      const { deliveries } = this.redeliveries;
      if (this.stopped) {
        this.logger.warn(`${what} (delivery ${delivery}), not delivered again: the app is stopping: ${reason}`);
      } else if (delivery >= deliveries) {
        // Forgotten, so a replay of payment-charges asks again for the payment, still waiting.
        requests.delete(request.idempotencyKey);
        this.logger.error(
          `${what} after ${deliveries} deliveries, given up: ${reason}. ` +
            'The payment waits until `projections:replay payment-charges` asks again',
        );
      } else {
        const delayMs = redeliveryDelayMs(this.redeliveries, delivery);
        const when = `(delivery ${delivery} of ${deliveries}), delivered again in ${delayMs} ms`;
        this.logger.warn(`${what} ${when}: ${reason}`);
        this.after(delayMs, () => this.send(answer, delivery + 1));
      }
    }
  }
}
