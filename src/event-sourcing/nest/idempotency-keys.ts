import type { Pool } from 'pg';

/** Whose key it is: the tenant the caller was admitted to ('' for none), the caller, the key. */
export type KeyScope = readonly [tenant: string, userId: string, key: string];

/** A key's row: its first request's fingerprint and, once that request finished, its answer. */
export interface StoredAnswer {
  readonly fingerprint: string;
  /** Null while no request with the key runs: the last one failed on our side and released it. */
  readonly attempted_at: Date | null;
  readonly status_code: number | null;
  readonly headers: Record<string, string> | null;
  readonly body: unknown;
}

/** A request still working on its key after this long is taken to have died (it never completed). */
const ABANDONED_AFTER_S = 60;
/** One request's hold on a key: what its answer is stored under. */
export interface KeyClaim {
  readonly scope: KeyScope;
  /** When the key's lifetime began, µs since the epoch: the command id derives from it. */
  readonly lifetime: string;
  /**
   * When this request claimed the key, µs since the epoch. A later claim can only take the key
   * over once this one was released or abandoned, so it always sets another time: whoever
   * stores an answer under this one still holds the key.
   */
  readonly claimedAt: string;
}

/**
 * No request holds the key: it has an answer, or its last request released it, or died with it.
 * An expired key in this state may start a new lifetime; one whose request runs may not, or two
 * commands would run under one key (the TTL counts from the first use, not from the running claim).
 */
const IDLE = `(k.status_code IS NOT NULL OR k.attempted_at IS NULL OR k.attempted_at < now() - make_interval(secs => $5))`;
const EXPIRED = `k.created_at < now() - make_interval(hours => $6)`;
const MICROS = (column: string) => `(extract(epoch FROM ${column}) * 1000000)::bigint`;

/** Expired keys each claim deletes (besides its own): more than one, so deletion outpaces claims. */
const SWEPT_PER_CLAIM = 10;

/**
 * The `idempotency_keys` table. A key is claimed by the first request, holds its answer once
 * that request finished, and expires `ttlHours` after its first use.
 *
 * Expired keys are deleted opportunistically, a few by every claim of a key, in the claim's own
 * statement: keys only accumulate through claims, so this keeps the table bounded by the keys
 * of one TTL without a timer, a leader among processes or an extra round trip, and costs
 * nothing while idle (SKIP LOCKED: concurrent claims never wait on each other's sweep).
 */
export class IdempotencyKeys {
  constructor(
    private readonly pool: Pool,
    private readonly ttlHours: number,
  ) {}

  /**
   * Takes the key for a request, or answers null: another request has it or had it (replay).
   * A key whose request died mid-way (a crash: it never completed) is taken over after a while,
   * instead of answering "in progress" forever; a released one at once, an expired one once no
   * request holds it. Only an expired one starts a new lifetime, whose start is answered: the
   * command id derives from it, so a reuse after expiry is a new command. Within a lifetime the
   * key stays bound to its first request's fingerprint: a takeover by another request would give
   * it the command id (and so the stored events) of the first, and the first's retry a 422.
   */
  async claim(scope: KeyScope, fingerprint: string): Promise<KeyClaim | null> {
    const claimed = await this.pool.query<{ lifetime: string; claimed_at: string }>(
      `WITH swept AS (
         DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM idempotency_keys k
           WHERE ${EXPIRED} AND ${IDLE} AND (tenant_id, user_id, key) <> ($1, $2, $3)
           LIMIT $7 FOR UPDATE SKIP LOCKED))
       )
       INSERT INTO idempotency_keys AS k (tenant_id, user_id, key, fingerprint) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, user_id, key) DO UPDATE SET
         fingerprint = CASE WHEN ${EXPIRED} THEN excluded.fingerprint ELSE k.fingerprint END,
         attempted_at = now(), status_code = NULL, headers = NULL, body = NULL, completed_at = NULL,
         created_at = CASE WHEN ${EXPIRED} THEN now() ELSE k.created_at END
       WHERE ${IDLE} AND (${EXPIRED} OR (k.status_code IS NULL AND k.fingerprint = excluded.fingerprint))
       RETURNING ${MICROS('created_at')}::text AS lifetime, ${MICROS('attempted_at')}::text AS claimed_at`,
      [...scope, fingerprint, ABANDONED_AFTER_S, this.ttlHours, SWEPT_PER_CLAIM],
    );
    const row = claimed.rows[0];
    return row ? { scope, lifetime: row.lifetime, claimedAt: row.claimed_at } : null;
  }

  /**
   * Stores the answer under the claim; false when the claim is no longer held (another request
   * took the key over meanwhile), and nothing is written: that request's answer is the key's.
   * `body`: JSON text, as the answer went out.
   */
  async complete(claim: KeyClaim, status: number, headers: Record<string, string>, body: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE idempotency_keys k SET status_code = $5, headers = $6, body = $7, completed_at = now()
       WHERE tenant_id = $1 AND user_id = $2 AND key = $3 AND ${MICROS('k.attempted_at')} = $4::bigint`,
      [...claim.scope, claim.claimedAt, status, JSON.stringify(headers), body],
    );
    return rowCount === 1;
  }

  /**
   * The next request with the key runs at once, in the same lifetime: it may find what this one
   * appended. A claim no longer held releases nothing.
   */
  async release(claim: KeyClaim): Promise<void> {
    await this.pool.query(
      `UPDATE idempotency_keys k SET attempted_at = NULL
       WHERE tenant_id = $1 AND user_id = $2 AND key = $3 AND ${MICROS('k.attempted_at')} = $4::bigint`,
      [...claim.scope, claim.claimedAt],
    );
  }

  async stored(scope: KeyScope): Promise<StoredAnswer | undefined> {
    const { rows } = await this.pool.query<StoredAnswer>(
      `SELECT fingerprint, attempted_at, status_code, headers, body FROM idempotency_keys
       WHERE tenant_id = $1 AND user_id = $2 AND key = $3`,
      [...scope],
    );
    return rows[0];
  }
}
