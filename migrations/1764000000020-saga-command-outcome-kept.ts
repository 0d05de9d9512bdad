import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A saga command's outcome, once recorded (`sent_at` set, `outcome` applied or refused), is
 * never replaced: an update that would change either fails with SQLSTATE SC001. The sender
 * marks a command applied in the statement that appends its events (`saga-command-dispatcher.ts`),
 * so a send still under way when an operator's give-up recorded it refused fails, and stores
 * nothing; and a give-up that comes after the send finds it sent. Without it, a send whose
 * claim had lapsed could commit its events after the refusal, and the saga compensated a
 * command that was applied. The other columns stay writable (claims and failures touch only
 * unsent rows; the error text stays reachable by a redaction); deleting a row is not an update.
 */
export class SagaCommandOutcomeKept1764000000020 implements MigrationInterface {
  name = 'SagaCommandOutcomeKept1764000000020';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION saga_command_outcome_kept() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'saga command % has an outcome already (%): it is never replaced', OLD.command_id, OLD.outcome
          USING ERRCODE = 'SC001';
      END $$`);
    // The WHEN clause keeps the function off every update that changes no recorded outcome.
    await db.query(`
      CREATE TRIGGER saga_commands_outcome_kept BEFORE UPDATE ON saga_commands FOR EACH ROW
      WHEN (OLD.sent_at IS NOT NULL AND (NEW.sent_at IS DISTINCT FROM OLD.sent_at OR NEW.outcome IS DISTINCT FROM OLD.outcome))
      EXECUTE FUNCTION saga_command_outcome_kept()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER saga_commands_outcome_kept ON saga_commands`);
    await db.query(`DROP FUNCTION saga_command_outcome_kept()`);
  }
}
