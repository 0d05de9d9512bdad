import { Module, type DynamicModule } from '@nestjs/common';
import { EventSourcingModule } from '../../event-sourcing/index.js';
import { TenancyModule } from '../tenancy/public-api.js';
import { PAYMENT_PROVIDER } from './application/payment-provider.js';
import { ProviderCallbacks } from './application/provider-callbacks.js';
import { GetPaymentHandler } from './application/queries/get-payment.query.js';
import { FakePaymentProvider } from './infrastructure/fake-payment-provider.js';
import { ProviderCharges } from './infrastructure/provider-charges.subscription.js';
import { payments } from './payment.aggregate.js';
import { PaymentsController } from './presentation/payments.controller.js';
import { ProviderCallbacksController } from './presentation/provider-callbacks.controller.js';
import { PAYMENT_WEBHOOK_SECRET, ProviderSignatureGuard } from './presentation/provider-signature.guard.js';

export interface PaymentsSettings {
  /** How long the fake provider takes to answer a charge (FAKE_PROVIDER_DELAY_MS). */
  readonly fakeProviderDelayMs: number;
  /** What the provider signs its answers to the webhook route with (PAYMENT_WEBHOOK_SECRET). */
  readonly webhookSecret: string;
}

/**
 * Payments: the aggregate, its read route and the provider's signed webhook route, and the
 * subscription that hands requested payments to the provider. A dynamic module so that each
 * app gets its own subscription bound to its own provider (tests run several apps in a process).
 */
@Module({})
export class PaymentsModule {
  static forRoot(settings: PaymentsSettings): DynamicModule {
    const charges = new ProviderCharges();
    return {
      module: PaymentsModule,
      imports: [TenancyModule, EventSourcingModule.forFeature({ aggregates: [payments], asyncProjections: [charges] })],
      controllers: [PaymentsController, ProviderCallbacksController],
      providers: [
        GetPaymentHandler,
        { provide: PAYMENT_WEBHOOK_SECRET, useValue: settings.webhookSecret },
        ProviderSignatureGuard,
        ProviderCallbacks,
        // The fake stands where a real provider's adapter plugs in: it answers through the same callbacks.
        {
          provide: FakePaymentProvider,
          inject: [ProviderCallbacks],
          useFactory: (callbacks: ProviderCallbacks) =>
            new FakePaymentProvider((charge, answer) => callbacks.record(charge, answer), settings.fakeProviderDelayMs),
        },
        {
          provide: PAYMENT_PROVIDER,
          inject: [FakePaymentProvider],
          useFactory: (fake: FakePaymentProvider) => charges.connect(fake),
        },
      ],
    };
  }
}
