import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { checkOutSession } from '../store/check-out-client.js';
import { KeyCache } from './key-cache.js';
import { keyOwner, KeyWrapping } from './key-wrapping.js';
import type { KeptKeyUse, NewSubjectKey, SubjectKey, SubjectKeys } from './subject-keys.js';

/** Told of every forgotten subject, so each process drops the keys it holds in memory. */
export const SUBJECT_FORGOTTEN_CHANNEL = 'chronicle_subject_forgotten';
const CACHED_KEYS = 10_000;
const RELISTEN_MS = 1_000;

const subjectOf = (tenantId: string, subjectId: string): string => JSON.stringify([tenantId, subjectId]);

interface KeyRow {
  key_id: string;
  tenant_id: string;
  subject_id: string;
  wrapped_key: Buffer;
}

interface ForgottenNotice {
  readonly tenantId: string;
  readonly subjectId: string;
  readonly keyIds: readonly string[];
}

/** PostgreSQL refuses a notification's payload from 8,000 bytes on. */
const NOTICE_BYTES = 7_000;

/**
 * A forgetting's notices, each under the payload's limit: a subject gets a key from each process
 * that first seals something of theirs (after every restart, eviction or lost LISTEN), so a
 * regular guest of years may have hundreds, and one notice would not hold them all.
 */
const noticesOf = (tenantId: string, subjectId: string, keyIds: readonly string[]): string[] => {
  const noticeOf = (ids: readonly string[]) => JSON.stringify({ tenantId, subjectId, keyIds: ids } satisfies ForgottenNotice);
  // Each key id adds itself in quotes and a comma: 39 bytes.
  const perNotice = Math.max(1, Math.floor((NOTICE_BYTES - Buffer.byteLength(noticeOf([]))) / 39));
  const notices: string[] = [];
  for (let from = 0; from === 0 || from < keyIds.length; from += perNotice) notices.push(noticeOf(keyIds.slice(from, from + perNotice)));
  return notices;
};

/**
 * Subjects' keys in the `subject_keys` table, unwrapped by the master key. Reads of personal
 * fields must stay fast, so keys are kept in memory; a key kept must never outlive its
 * subject's forgetting, so present keys are kept only while this process LISTENs for
 * forgettings (and all are dropped when that connection is lost). A key found missing stays
 * missing (key ids are never reused), so that is kept always.
 */
export class PostgresSubjectKeys implements SubjectKeys {
  private readonly bySubject = new KeyCache<SubjectKey>(CACHED_KEYS);
  private readonly byId = new KeyCache<Buffer | null>(CACHED_KEYS);
  private listener: PoolClient | undefined;
  private relisten: NodeJS.Timeout | undefined;
  /** The latest start, which `stop` waits for: a connection it makes after `stop` would never be released. */
  private starting: Promise<void> | undefined;
  private stopped = false;
  /** Counts evictions: a key read from the table while one happened may be the forgotten one, and is not kept. */
  private evictions = 0;
  private readonly evictionsWhenMade = new WeakMap<NewSubjectKey, number>();

  constructor(
    private readonly pool: Pool,
    private readonly wrapping: KeyWrapping,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  /** Starts listening for forgettings; until it does (or after it stopped), keys are read each time. */
  start(): Promise<void> {
    this.stopped = false;
    this.starting = this.listen()
      .then((listener) => {
        // Stopped while connecting: nothing would release a connection kept now.
        if (this.stopped) return listener.release(true);
        this.listener = listener;
        // A key read or made before now may belong to a subject forgotten unheard: none of them is kept.
        this.evictions++;
      })
      .catch((error: unknown) => {
        this.log(`subject keys: cannot LISTEN (${String(error)}); reading keys without keeping them`);
        this.scheduleRelisten();
      });
    return this.starting;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.relisten) clearTimeout(this.relisten);
    await this.starting;
    const listener = this.listener;
    this.dropListener();
    await listener?.query(`UNLISTEN ${SUBJECT_FORGOTTEN_CHANNEL}`).catch(() => undefined);
    listener?.release();
  }

  /** Whether it hears forgettings now (and so may keep keys). */
  get listening(): boolean {
    return this.listener !== undefined;
  }

  /** Null while not listening: a forgetting in another process would not move it, so a cache keyed by it must not keep anything. */
  get epoch(): number | null {
    return this.listener === undefined ? null : this.evictions;
  }

  get evictionCount(): number {
    return this.evictions;
  }

  keptKeyOf(tenantId: string, subjectId: string): SubjectKey | undefined {
    return this.bySubject.get(subjectOf(tenantId, subjectId));
  }

  newKey(tenantId: string, subjectId: string): NewSubjectKey {
    const keyId = randomUUID();
    const key = KeyWrapping.newDataKey();
    const made = { keyId, key, tenantId, subjectId, wrapped: this.wrapping.wrap(key, keyOwner(tenantId, subjectId, keyId)) };
    this.evictionsWhenMade.set(made, this.evictions);
    return made;
  }

  stored(keys: readonly NewSubjectKey[]): void {
    for (const made of keys) {
      // Not if a forgetting was heard since it was made: it may have been this subject's, after this key was stored.
      if (!this.keeping(this.evictionsWhenMade.get(made) ?? -1)) continue;
      this.bySubject.set(subjectOf(made.tenantId, made.subjectId), { keyId: made.keyId, key: made.key });
      this.byId.set(made.keyId, made.key);
    }
  }

  async keysByIds(keyIds: readonly string[]): Promise<ReadonlyMap<string, Buffer>> {
    const found = new Map<string, Buffer>();
    const unknown: string[] = [];
    for (const keyId of keyIds) {
      const kept = this.byId.get(keyId);
      if (kept === undefined) unknown.push(keyId);
      else if (kept !== null) found.set(keyId, kept);
    }
    if (unknown.length === 0) return found;
    const evictions = this.evictions;
    const { rows } = await this.pool.query<KeyRow>(
      `SELECT key_id, tenant_id, subject_id, wrapped_key FROM subject_keys WHERE key_id = ANY($1::uuid[])`,
      [unknown],
    );
    const keeping = this.keeping(evictions);
    for (const row of rows) {
      const key = this.wrapping.unwrap(row.wrapped_key, keyOwner(row.tenant_id, row.subject_id, row.key_id));
      found.set(row.key_id, key);
      if (keeping) this.byId.set(row.key_id, key);
    }
    for (const keyId of unknown) if (!found.has(keyId)) this.byId.set(keyId, null);
    return found;
  }

  /**
   * Deletes the subject's key inside the caller's transaction and tells every process (at
   * commit: NOTIFY is transactional). The ids of the keys deleted.
   */
  async forgetWithin(client: PoolClient, tenantId: string, subjectId: string): Promise<string[]> {
    // Takes turns with appends sealing with a kept key of the subject (migration 17): they wait, or it waits for them.
    await client.query(`SELECT pg_advisory_xact_lock(subject_lock($1, $2))`, [tenantId, subjectId]);
    const { rows } = await client.query<{ key_id: string }>(
      `DELETE FROM subject_keys WHERE tenant_id = $1 AND subject_id = $2 RETURNING key_id`,
      [tenantId, subjectId],
    );
    const keyIds = rows.map((row) => row.key_id);
    // Nothing deleted, nothing to drop: a notice would only make every process's readers of opened data read again.
    if (keyIds.length === 0) return keyIds;
    for (const payload of noticesOf(tenantId, subjectId, keyIds)) {
      await client.query(`SELECT pg_notify($1, $2)`, [SUBJECT_FORGOTTEN_CHANNEL, payload]);
    }
    return keyIds;
  }

  lost(keys: readonly KeptKeyUse[]): void {
    for (const { tenantId, subjectId, keyId } of keys) this.evict(tenantId, subjectId, [keyId]);
  }

  /** Drops what this process keeps of a forgotten subject (called once its forgetting committed). */
  evict(tenantId: string, subjectId: string, keyIds: readonly string[]): void {
    this.evictions++;
    this.bySubject.delete(subjectOf(tenantId, subjectId));
    for (const keyId of keyIds) this.byId.set(keyId, null);
  }

  private listen(): Promise<PoolClient> {
    return checkOutSession(this.pool, (client) => {
      client.on('error', (error: Error) => this.listenerLost(client, error.message));
      client.on('end', () => this.listenerLost(client, 'ended'));
      client.on('notification', ({ payload }) => {
        const notice = JSON.parse(payload ?? '{}') as Partial<ForgottenNotice>;
        if (notice.tenantId !== undefined && notice.subjectId !== undefined) {
          this.evict(notice.tenantId, notice.subjectId, notice.keyIds ?? []);
        }
      });
      return client.query(`LISTEN ${SUBJECT_FORGOTTEN_CHANNEL}`);
    });
  }

  private listenerLost(client: PoolClient, reason: string): void {
    if (this.listener !== client) return;
    this.log(`subject keys: LISTEN connection lost (${reason}); reading keys without keeping them until it is back`);
    this.dropListener();
    client.release(true);
    this.scheduleRelisten();
  }

  /** Without the LISTEN connection a forgetting could go unheard: nothing present is kept. */
  private dropListener(): void {
    this.listener = undefined;
    this.evictions++;
    this.bySubject.clear();
    this.byId.clear();
  }

  private keeping(evictionsBefore: number): boolean {
    return this.listener !== undefined && this.evictions === evictionsBefore;
  }

  private scheduleRelisten(): void {
    if (this.stopped || this.relisten) return;
    this.relisten = setTimeout(() => {
      this.relisten = undefined;
      if (!this.stopped && !this.listener) void this.start();
    }, RELISTEN_MS);
    this.relisten.unref();
  }
}
