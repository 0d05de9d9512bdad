import type { Pool, PoolClient } from 'pg';
import type { Actor } from '../domain/actor.js';
import { checkIdentifiers } from '../projections/row-sql.js';
import { inTransaction } from '../store/in-transaction.js';
import type { PersonalReadModel } from './personal-columns.js';
import { REDACTED } from './personal-fields.js';
import type { PostgresSubjectKeys } from './postgres-subject-keys.js';

/** What forgetting a subject did. */
export interface Forgotten {
  readonly tenantId: string;
  readonly subjectId: string;
  /** When the subject was first forgotten. */
  readonly forgottenAt: Date;
  /** Keys this call deleted: 0 when the subject was already forgotten. */
  readonly keysDeleted: number;
  /** Read-model rows this call redacted. */
  readonly rowsRedacted: number;
}

/**
 * Copies of events a subsystem keeps outside the log and the read models (the inbox's failed
 * messages, as the relay sent them): a forgetting redacts the subject's fields in them too, in
 * its transaction. Answers how many it redacted.
 */
export interface PersonalCopies {
  redactWithin(client: PoolClient, tenantId: string, subjectId: string): Promise<number>;
}

const DEADLOCK_DETECTED = '40P01';
const ATTEMPTS_AFTER_DEADLOCK = 3;

interface ForgottenRow {
  forgotten_at: Date;
}

/**
 * Forgets a subject (crypto-shredding): deletes its key, so its personal fields in events
 * open as redacted from now on, and redacts the personal columns of its read-model rows, in
 * one transaction. The events are not touched. Forgetting twice answers as the first time did.
 */
export class SubjectForgetting {
  constructor(
    private readonly pool: Pool,
    private readonly keys: PostgresSubjectKeys,
    /** The read models holding personal data (asked at each forgetting: contexts register at start). */
    private readonly readModels: () => readonly PersonalReadModel[],
    private readonly copies: readonly PersonalCopies[] = [],
  ) {}

  /**
   * What was done, or null when the tenant holds no personal data of this subject and never did.
   * It takes the subject's lock, then the subject's read-model rows; an append sealing for the
   * subject takes its rows and the lock in one statement, in no order it chooses (a group commit
   * may write a row of the subject's, then wait for the lock). PostgreSQL ends such a deadlock
   * by failing one side: the append is sent again alone, and the forgetting, tried again here.
   */
  async forget(tenantId: string, subjectId: string, actor: Actor): Promise<Forgotten | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.forgetOnce(tenantId, subjectId, actor);
      } catch (error) {
        if ((error as { code?: unknown }).code !== DEADLOCK_DETECTED || attempt === ATTEMPTS_AFTER_DEADLOCK) throw error;
      }
    }
  }

  private async forgetOnce(tenantId: string, subjectId: string, actor: Actor): Promise<Forgotten | null> {
    const outcome = await inTransaction(this.pool, async (client) => {
      const keyIds = await this.keys.forgetWithin(client, tenantId, subjectId);
      const rowsRedacted = await this.redactReadModels(client, tenantId, subjectId);
      for (const copies of this.copies) await copies.redactWithin(client, tenantId, subjectId);
      const { rows } = await client.query<ForgottenRow>(
        keyIds.length > 0
          ? `INSERT INTO forgotten_subjects (tenant_id, subject_id, forgotten_by, keys_deleted) VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant_id, subject_id) DO UPDATE SET keys_deleted = forgotten_subjects.keys_deleted + excluded.keys_deleted
             RETURNING forgotten_at`
          : `SELECT forgotten_at FROM forgotten_subjects WHERE tenant_id = $1 AND subject_id = $2`,
        keyIds.length > 0 ? [tenantId, subjectId, actor.id, keyIds.length] : [tenantId, subjectId],
      );
      return { keyIds, rowsRedacted, forgottenAt: rows[0]?.forgotten_at };
    });
    if (outcome.keyIds.length > 0) this.keys.evict(tenantId, subjectId, outcome.keyIds);
    if (!outcome.forgottenAt) return null;
    const { keyIds, rowsRedacted, forgottenAt } = outcome;
    return { tenantId, subjectId, forgottenAt, keysDeleted: keyIds.length, rowsRedacted };
  }

  private async redactReadModels(client: PoolClient, tenantId: string, subjectId: string): Promise<number> {
    let redacted = 0;
    for (const { table, personal } of this.readModels()) {
      checkIdentifiers(`Personal columns of ${table}`, [table, personal.tenant, personal.subject, ...personal.columns]);
      const set = personal.columns.map((column) => `${column} = $3`).join(', ');
      const result = await client.query(`UPDATE ${table} SET ${set} WHERE ${personal.tenant} = $1 AND ${personal.subject} = $2`, [
        tenantId,
        subjectId,
        REDACTED,
      ]);
      redacted += result.rowCount ?? 0;
    }
    return redacted;
  }
}
