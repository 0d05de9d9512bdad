import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Crypto-shredding. `subject_keys` holds the data keys of each subject (a guest, say) of a tenant,
 * wrapped by the master key from configuration: personal fields of events are stored sealed
 * with it, and forgetting the subject deletes the row. `forgotten_subjects` records who was
 * forgotten, when and by whom; it holds no personal data.
 */
export class SubjectKeys1764000000015 implements MigrationInterface {
  name = 'SubjectKeys1764000000015';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE subject_keys (
        key_id       uuid        PRIMARY KEY,
        tenant_id    text        NOT NULL,
        subject_id   text        NOT NULL,
        wrapped_key  bytea       NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
    // A subject may have several keys (each process makes one when it first seals their data,
    // in the append's own statement): forgetting deletes them all.
    await db.query(`CREATE INDEX subject_keys_by_subject_idx ON subject_keys (tenant_id, subject_id)`);
    await db.query(`
      CREATE TABLE forgotten_subjects (
        tenant_id      text        NOT NULL,
        subject_id     text        NOT NULL,
        forgotten_at   timestamptz NOT NULL DEFAULT now(),
        forgotten_by   text,
        keys_deleted   integer     NOT NULL,
        PRIMARY KEY (tenant_id, subject_id)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE forgotten_subjects`);
    await db.query(`DROP TABLE subject_keys`);
  }
}
