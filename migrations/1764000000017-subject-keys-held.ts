import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `subject_keys_held(key_ids)`: called by an append that seals with keys its process stored
 * before. It locks those keys' rows (FOR KEY SHARE) until the append commits, and fails the
 * append (SQLSTATE CK001) if one is gone. A forgetting deletes the rows: either it waits for
 * the append, and then redacts the append's read-model rows too, or the append waits for it
 * and fails, and is sealed again under a new key. Without it, an append sealing with a key
 * cached in memory could commit just after the forgetting, its row left in clear and its
 * events sealed under a deleted key.
 */
export class SubjectKeysHeld1764000000017 implements MigrationInterface {
  name = 'SubjectKeysHeld1764000000017';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION subject_keys_held(key_ids uuid[]) RETURNS boolean LANGUAGE plpgsql AS $$
      DECLARE
        held integer;
      BEGIN
        SELECT count(*) INTO held FROM (SELECT FROM subject_keys WHERE key_id = ANY (key_ids) FOR KEY SHARE) locked;
        IF held < cardinality(key_ids) THEN
          RAISE EXCEPTION 'a subject key this append seals with was deleted: its subject was forgotten'
            USING ERRCODE = 'CK001';
        END IF;
        RETURN true;
      END $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION subject_keys_held(uuid[])`);
  }
}
