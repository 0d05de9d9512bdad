import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The latest snapshot per stream; `schema_version` lets a changed state shape ignore old ones. */
export class Snapshots1764000000001 implements MigrationInterface {
  name = 'Snapshots1764000000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE snapshots (
        tenant_id       text        NOT NULL,
        aggregate_type  text        NOT NULL,
        aggregate_id    text        NOT NULL,
        schema_version  integer     NOT NULL,
        version         integer     NOT NULL,
        state           jsonb       NOT NULL,
        taken_at        timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, aggregate_type, aggregate_id)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE snapshots`);
  }
}
