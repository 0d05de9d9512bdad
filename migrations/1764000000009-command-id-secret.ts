import { randomBytes } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A secret each database makes for itself, that keyed commands' ids are derived with (an HMAC
 * of tenant, user and Idempotency-Key): nobody who lacks it can compute another caller's event
 * ids to append them first, and every process on the database derives the same ones. Made here
 * rather than configured, so no deployment runs with a default that anyone can read.
 */
export class CommandIdSecret1764000000009 implements MigrationInterface {
  name = 'CommandIdSecret1764000000009';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE server_secrets (name text PRIMARY KEY, secret text NOT NULL)`);
    const secret = randomBytes(32).toString('hex');
    await db.query(`INSERT INTO server_secrets (name, secret) VALUES ('command-ids', $1)`, [secret]);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE server_secrets`);
  }
}
