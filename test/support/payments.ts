import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import { payments, type RequestPayment, type VoidPayment } from '../../src/contexts/payments/public-api.js';
import { AggregateRepository } from '../../src/event-sourcing/index.js';

/** A command as the deposit saga (a system actor) sends it, in the practice, now. */
const asTheSaga = (practiceId: string) => ({
  now: new Date().toISOString(),
  actor: { type: 'system' as const, id: 'deposit-saga' },
  tenantId: practiceId,
});

/** RequestPayment through the app's AggregateRepository, as the deposit saga sends it. */
export const requestPayment = async (app: NestFastifyApplication, practiceId: string, amount: number): Promise<string> => {
  const paymentId = randomUUID();
  const command: RequestPayment = {
    type: 'RequestPayment',
    data: { paymentId, reservationId: randomUUID(), amount, currency: 'EUR' },
    metadata: asTheSaga(practiceId),
  };
  await app.get(AggregateRepository).execute(payments, command);
  return paymentId;
};

/** VoidPayment, as the deposit saga sends it when the reservation is cancelled or its deadline passes. */
export const voidPayment = async (app: NestFastifyApplication, practiceId: string, paymentId: string): Promise<void> => {
  const command: VoidPayment = {
    type: 'VoidPayment',
    data: { paymentId, reason: 'Reservation cancelled' },
    metadata: asTheSaga(practiceId),
  };
  await app.get(AggregateRepository).execute(payments, command);
};

/** Waits until every partition of the `payment-charges` subscription has passed the newest event: all handed over. */
export const handedOver = async (pool: Pool): Promise<void> => {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { rows } = await pool.query<{ behind: number }>(
      `SELECT count(*)::int AS behind FROM projection_checkpoints c
       WHERE c.projection = 'payment-charges'
         AND (c.transaction_id, c.position) < (
           SELECT transaction_id, position FROM events ORDER BY transaction_id DESC, position DESC LIMIT 1)`,
    );
    if (rows[0].behind === 0) return;
    if (Date.now() > deadline) throw new Error(`payment-charges is ${rows[0].behind} partition(s) behind after 20 s`);
    await sleep(25);
  }
};
