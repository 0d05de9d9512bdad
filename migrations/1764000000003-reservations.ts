import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The reservation list (inline read model) and the idempotency keys of HTTP commands. */
export class Reservations1764000000003 implements MigrationInterface {
  name = 'Reservations1764000000003';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE reservations (
        practice_id     text        NOT NULL,
        reservation_id  text        NOT NULL,
        guest_id        text        NOT NULL,
        guest_name      text        NOT NULL,
        status          text        NOT NULL,
        check_in_date   date        NOT NULL,
        nights          integer     NOT NULL,
        check_out_date  date        NOT NULL,
        cancel_reason   text,
        version         integer     NOT NULL,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL,
        PRIMARY KEY (practice_id, reservation_id)
      )`);
    await db.query(`CREATE INDEX reservations_by_date_idx ON reservations (practice_id, check_in_date, reservation_id)`);
    await db.query(`CREATE INDEX reservations_by_status_idx ON reservations (practice_id, status, check_in_date)`);
    await db.query(`CREATE INDEX reservations_by_guest_idx ON reservations (practice_id, guest_id)`);

    await db.query(`
      CREATE TABLE idempotency_keys (
        tenant_id     text        NOT NULL,
        user_id       text        NOT NULL,
        key           text        NOT NULL,
        fingerprint   text        NOT NULL,
        status_code   integer,
        headers       json,
        body          json,  -- json, not jsonb: a replay returns the body byte for byte
        created_at    timestamptz NOT NULL DEFAULT now(),
        completed_at  timestamptz,
        PRIMARY KEY (tenant_id, user_id, key)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE idempotency_keys`);
    await db.query(`DROP TABLE reservations`);
  }
}
