import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The payments read model (inline): one row per reservation deposit. */
export class Payments1764000000013 implements MigrationInterface {
  name = 'Payments1764000000013';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE payments (
        practice_id         text        NOT NULL,
        payment_id          text        NOT NULL,
        reservation_id      text        NOT NULL,
        status              text        NOT NULL,
        amount              bigint      NOT NULL,
        currency            text        NOT NULL,
        provider_reference  text,
        reason              text,
        version             integer     NOT NULL,
        requested_at        timestamptz NOT NULL,
        updated_at          timestamptz NOT NULL,
        PRIMARY KEY (practice_id, payment_id)
      )`);
    await db.query(`CREATE INDEX payments_by_reservation_idx ON payments (practice_id, reservation_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE payments`);
  }
}
