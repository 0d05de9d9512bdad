import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The payments read model says whether money went back: a capture recorded after the payment
 * was voided or failed (`captured_late`), and the reference of the refund the provider
 * confirmed. Rows written before keep `false` and null: none of them was refunded.
 */
export class PaymentsRefunds1764000000022 implements MigrationInterface {
  name = 'PaymentsRefunds1764000000022';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE payments
        ADD COLUMN captured_late    boolean NOT NULL DEFAULT false,
        ADD COLUMN refund_reference text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE payments DROP COLUMN captured_late, DROP COLUMN refund_reference`);
  }
}
