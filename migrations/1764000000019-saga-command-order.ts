import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An instance's commands go out one after the other, in the order its steps decided them:
 * the sender claims a command only when no older command of its instance is still unsent
 * (`saga-command-dispatcher.ts`), whichever worker holds that one and whether or not it failed.
 * "Older" is `seq`, the order the outbox rows were written in: a step's commands share their
 * `created_at` (one transaction), and an instance's steps are written one after the other
 * (each appends at the version it loaded), so `seq` is the order its steps decided them in.
 * Existing rows are numbered in the order they were listed before (`created_at`, then id).
 */
export class SagaCommandOrder1764000000019 implements MigrationInterface {
  name = 'SagaCommandOrder1764000000019';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE SEQUENCE saga_commands_seq`);
    await db.query(`ALTER TABLE saga_commands ADD COLUMN seq bigint`);
    await db.query(`
      UPDATE saga_commands c SET seq = numbered.n
      FROM (SELECT command_id, row_number() OVER (ORDER BY created_at, command_id) AS n FROM saga_commands) numbered
      WHERE c.command_id = numbered.command_id`);
    await db.query(`SELECT setval('saga_commands_seq', coalesce((SELECT max(seq) FROM saga_commands), 0) + 1, false)`);
    await db.query(`ALTER TABLE saga_commands ALTER COLUMN seq SET DEFAULT nextval('saga_commands_seq'), ALTER COLUMN seq SET NOT NULL`);
    await db.query(`ALTER SEQUENCE saga_commands_seq OWNED BY saga_commands.seq`);
    // What the claim asks of each candidate: is an older command of its instance still unsent?
    await db.query(`CREATE INDEX saga_commands_instance_unsent_idx ON saga_commands (saga, tenant_id, instance_key, seq) WHERE sent_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX saga_commands_instance_unsent_idx`);
    await db.query(`ALTER TABLE saga_commands DROP COLUMN seq`); // drops the sequence it owns
  }
}
