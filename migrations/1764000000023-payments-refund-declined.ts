import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The payments read model shows why the provider declined the refund the payment owes
 * (`payment.refund_declined`), while it still owes it; a confirmed refund clears it. Rows written
 * before hold null: no decline was ever recorded.
 */
export class PaymentsRefundDeclined1764000000023 implements MigrationInterface {
  name = 'PaymentsRefundDeclined1764000000023';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE payments ADD COLUMN refund_declined_reason text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE payments DROP COLUMN refund_declined_reason`);
  }
}
