import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models of the tenancy context, written inline with the practice's events. */
export class TenancyReadModels1764000000002 implements MigrationInterface {
  name = 'TenancyReadModels1764000000002';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE practices (
        practice_id text PRIMARY KEY,
        name        text        NOT NULL,
        version     integer     NOT NULL,
        created_at  timestamptz NOT NULL,
        updated_at  timestamptz NOT NULL
      )`);
    await db.query(`
      CREATE TABLE practice_members (
        practice_id text        NOT NULL,
        user_id     text        NOT NULL,
        role        text        NOT NULL CHECK (role IN ('owner', 'admin', 'staff', 'viewer')),
        joined_at   timestamptz NOT NULL,
        PRIMARY KEY (practice_id, user_id)
      )`);
    await db.query(`CREATE INDEX practice_members_user_idx ON practice_members (user_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE practice_members`);
    await db.query(`DROP TABLE practices`);
  }
}
