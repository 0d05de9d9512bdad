import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An append that seals with keys its process stored before, and the forgetting of their
 * subject, take turns. Each takes an advisory lock of the subject (`subject_lock(tenant,
 * subject)`): the forgetting an exclusive one before it deletes the keys, the append a shared
 * one (`subject_keys_held`) and then checks, with a snapshot taken after the lock, that its
 * keys still exist, failing with SQLSTATE CK001 if not. A forgetting that comes second waits
 * for the append and then redacts the append's read-model rows too; an append that comes
 * second fails, and is sealed again under a new key. Without it, an append sealing with a key
 * cached in memory could commit just after the forgetting, its row left in clear and its
 * events sealed under a deleted key. Advisory locks write nothing: appends of one subject pay
 * no row lock, WAL record or multixact for it.
 */
export class SubjectKeysHeld1764000000017 implements MigrationInterface {
  name = 'SubjectKeysHeld1764000000017';

  async up(db: QueryRunner): Promise<void> {
    // The single-bigint form of advisory locks: the subscriptions' leases use the (int, int) form, another key space.
    await db.query(`
      CREATE FUNCTION subject_lock(tenant_id text, subject_id text) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN hashtextextended(json_build_array(tenant_id, subject_id)::text, 0)`);
    // VOLATILE (the default): the count below takes its own snapshot, after the locks are granted.
    await db.query(`
      CREATE FUNCTION subject_keys_held(key_ids uuid[], tenant_ids text[], subject_ids text[]) RETURNS boolean LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock_shared(subject_lock(t, s)) FROM unnest(tenant_ids, subject_ids) AS held(t, s);
        -- Appends of one group commit may seal with the same key: each counts once.
        IF (SELECT count(*) FROM subject_keys WHERE key_id = ANY (key_ids)) < (SELECT count(DISTINCT k) FROM unnest(key_ids) k) THEN
          RAISE EXCEPTION 'a subject key this append seals with was deleted: its subject was forgotten'
            USING ERRCODE = 'CK001';
        END IF;
        RETURN true;
      END $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION subject_keys_held(uuid[], text[], text[])`);
    await db.query(`DROP FUNCTION subject_lock(text, text)`);
  }
}
