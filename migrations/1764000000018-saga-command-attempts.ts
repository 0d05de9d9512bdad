import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A saga command that fails with an error that is not a refusal (a bug, a broken payload) is
 * sent again each time its claim lapses, and holds its instance's later commands meanwhile.
 * Its attempts and last error are kept with it, for operators to see; an operator may ask that
 * it be given up (`give_up_by`): the sender that next claims it, once the last send is known to
 * have ended (it failed after its claim, `claimed_at`), records it refused with `GIVEN_UP`
 * instead of sending it, and its saga compensates as for any refusal.
 */
export class SagaCommandAttempts1764000000018 implements MigrationInterface {
  name = 'SagaCommandAttempts1764000000018';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE saga_commands
        ADD COLUMN claimed_at      timestamptz,
        ADD COLUMN attempts        integer NOT NULL DEFAULT 0,
        ADD COLUMN last_error      text,
        ADD COLUMN last_failed_at  timestamptz,
        ADD COLUMN give_up_by      text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE saga_commands DROP COLUMN claimed_at, DROP COLUMN attempts, DROP COLUMN last_error, DROP COLUMN last_failed_at, DROP COLUMN give_up_by`,
    );
  }
}
