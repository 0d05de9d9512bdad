import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency keys expire: `created_at` now starts a key's lifetime (its command id derives
 * from it), `attempted_at` says when its latest request began (null: released after a server
 * error), and every claim of a key deletes a few expired ones, found by the new index. Run
 * outside a transaction so the index is built CONCURRENTLY while claims go on; each step can
 * run again after a failure half-way.
 */
export class IdempotencyKeyExpiry1764000000010 implements MigrationInterface {
  name = 'IdempotencyKeyExpiry1764000000010';
  transaction = false;

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE idempotency_keys ADD COLUMN IF NOT EXISTS attempted_at timestamptz DEFAULT now()`);
    await db.query(`DROP INDEX CONCURRENTLY IF EXISTS idempotency_keys_created_at_idx`);
    await db.query(`CREATE INDEX CONCURRENTLY idempotency_keys_created_at_idx ON idempotency_keys (created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX CONCURRENTLY IF EXISTS idempotency_keys_created_at_idx`);
    await db.query(`ALTER TABLE idempotency_keys DROP COLUMN IF EXISTS attempted_at`);
  }
}
