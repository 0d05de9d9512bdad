import { Inject, Injectable, Logger } from '@nestjs/common';
import { AggregateRepository, DomainError } from '../../../event-sourcing/index.js';
import { payments } from '../payment.aggregate.js';
import type { ProviderRequest } from './payment-provider.js';
import { commandForCallback, type ProviderCallback } from './provider-callback.js';

/** The provider, as the actor of the answers it records in-process. */
export const PROVIDER_ACTOR = { type: 'system', id: 'payment-provider' } as const;

/**
 * Records a provider's answer that arrives in-process (the fake provider; an SDK's webhook
 * consumer would do the same): the command the HTTP callback route sends, on the same
 * aggregate path, as the provider, in the request's practice and trace.
 */
@Injectable()
export class ProviderCallbacks {
  private readonly logger = new Logger('PaymentProvider');

  constructor(@Inject(AggregateRepository) private readonly aggregates: AggregateRepository) {}

  /**
   * Resolves once the answer is taken: recorded, or refused by the payment (a failure after
   * the void, say), which is the aggregate's answer and logged. A capture is never refused for
   * coming late: the payment records it and owes the money back. Rejects with anything else
   * (the database timed out behind a lock, failed over, lost the connection): the answer was
   * not recorded and must be delivered again, as the callback route's 503 asks a provider to.
   */
  async record(request: ProviderRequest, callback: ProviderCallback): Promise<void> {
    const metadata = {
      now: new Date().toISOString(),
      actor: PROVIDER_ACTOR,
      tenantId: request.practiceId,
      correlationId: request.correlationId,
      causationId: request.causationId,
    };
    try {
      await this.aggregates.execute(payments, { ...commandForCallback(request.paymentId, callback), metadata });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.logger.warn(`${callback.outcome} of payment ${request.paymentId} not recorded: ${error.message}`);
    }
  }
}
