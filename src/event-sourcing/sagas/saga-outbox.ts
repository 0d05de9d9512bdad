import type { Pool } from 'pg';
import { domainError } from '../domain/domain-error.js';

export class SagaCommandNotFound extends domainError('not-found', 'SAGA_COMMAND_NOT_FOUND') {}
export class SagaCommandAlreadySent extends domainError('conflict', 'SAGA_COMMAND_ALREADY_SENT') {}

/** A command saga steps decided and no sender has recorded an outcome for yet. */
export interface UnsentSagaCommand {
  readonly commandId: string;
  readonly saga: string;
  readonly tenantId: string;
  readonly key: string;
  readonly aggregateType: string;
  readonly type: string;
  readonly createdAt: string;
  /** Sends that failed with an error that is not a refusal; each is tried again when its claim lapses. */
  readonly attempts: number;
  readonly lastError: string | null;
  readonly lastFailedAt: string | null;
  /** The operator who asked that it be given up, until a sender does. */
  readonly giveUpBy: string | null;
}

export interface UnsentSagaCommandFilter {
  readonly saga?: string;
  readonly limit: number;
}

interface OutboxRow {
  readonly command_id: string;
  readonly saga: string;
  readonly tenant_id: string;
  readonly instance_key: string;
  readonly aggregate_type: string;
  readonly type: string;
  readonly created_at: Date;
  readonly attempts: number;
  readonly last_error: string | null;
  readonly last_failed_at: Date | null;
  readonly give_up_by: string | null;
  readonly sent_at: Date | null;
}

const COLUMNS = 'command_id, saga, tenant_id, instance_key, aggregate_type, type, created_at, attempts, last_error, last_failed_at, give_up_by, sent_at';

const viewOf = (row: OutboxRow): UnsentSagaCommand => ({
  commandId: row.command_id,
  saga: row.saga,
  tenantId: row.tenant_id,
  key: row.instance_key,
  aggregateType: row.aggregate_type,
  type: row.type,
  createdAt: row.created_at.toISOString(),
  attempts: row.attempts,
  lastError: row.last_error,
  lastFailedAt: row.last_failed_at?.toISOString() ?? null,
  giveUpBy: row.give_up_by,
});

/**
 * Operators' view of the commands sagas left to send: the oldest first, with the failures
 * of those that keep failing. Giving one up is done by the sender that next claims it once its
 * last send is known to have ended (failed since it was claimed): it records the command
 * refused with `GIVEN_UP`, and its saga compensates as for any refusal. One whose sender's
 * claim lapsed mid-send is sent again first, as ever (its id makes that harmless). A command
 * given up is never applied too: its sender marks it applied in the statement that stores its
 * events, and PostgreSQL refuses to replace an outcome once recorded (migration 20), so a send
 * from an earlier claim still under way when the refusal is recorded fails and stores nothing,
 * and a give-up after the events committed finds the command sent. A command that failed
 * waits for its claim to lapse (30 s); one held behind an earlier command of its instance
 * waits for that one.
 */
export class SagaOutbox {
  constructor(private readonly pool: Pool) {}

  async unsent({ saga, limit }: UnsentSagaCommandFilter): Promise<UnsentSagaCommand[]> {
    const { rows } = await this.pool.query<OutboxRow>(
      `SELECT ${COLUMNS} FROM saga_commands WHERE sent_at IS NULL AND ($1::text IS NULL OR saga = $1) ORDER BY seq LIMIT $2`,
      [saga ?? null, limit],
    );
    return rows.map(viewOf);
  }

  /** Asks that the command be given up; refused if it has an outcome already. */
  async giveUp(commandId: string, operatorId: string): Promise<UnsentSagaCommand> {
    const { rows } = await this.pool.query<OutboxRow>(
      // The first operator to ask is the one on record.
      `UPDATE saga_commands SET give_up_by = coalesce(give_up_by, $2) WHERE command_id = $1 AND sent_at IS NULL RETURNING ${COLUMNS}`,
      [commandId, operatorId],
    );
    if (rows.length > 0) return viewOf(rows[0]);
    const { rows: sent } = await this.pool.query<{ outcome: string }>(`SELECT outcome FROM saga_commands WHERE command_id = $1`, [commandId]);
    if (sent.length === 0) throw new SagaCommandNotFound(`No saga command ${commandId}`, { commandId });
    throw new SagaCommandAlreadySent(`Saga command ${commandId} was sent already (${sent[0].outcome})`, { commandId, outcome: sent[0].outcome });
  }
}
