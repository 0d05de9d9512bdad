import type { Pool, PoolClient } from 'pg';
import type { AggregateCatalog } from '../aggregates/aggregate-catalog.js';
import type { AggregateRepository } from '../aggregates/aggregate-repository.js';
import { DomainError } from '../domain/domain-error.js';
import type { PostgresEventStore } from '../store/postgres-event-store.js';
import { inTransaction } from '../store/in-transaction.js';
import { isDatabaseStalled } from '../store/database-unavailable.js';
import { commandRefused, type AnySaga } from './saga.js';
import { isOutcomeRecorded, markedApplied } from './saga-command-applied.js';
import { refusalOf } from './saga-command-refusal.js';
import { commitStep, SAGA_ACTOR } from './saga-commit.js';
import { sagaStep, type SagaCommandIds } from './saga-step.js';
import { loadInstance, sagaStream } from './saga-stream.js';

interface SagaCommandRow {
  readonly command_id: string;
  readonly saga: string;
  readonly instance_key: string;
  readonly tenant_id: string;
  readonly aggregate_type: string;
  readonly type: string;
  readonly data: unknown;
  readonly correlation_id: string;
  readonly causation_id: string;
  readonly attempts: number;
  readonly last_error: string | null;
  readonly give_up_by: string | null;
  /**
   * Whether its last claim's send is known to have ended: never claimed before, or that send
   * failed (a sender whose claim lapsed may still be sending it, slowly). A give-up waits for it:
   * such a command is sent once more first. A send under way can no longer commit after a
   * give-up (its mark fails, migration 20); what this still guards is a command whose events a
   * sender from before that stored, and died before marking: sent again, it is answered from
   * them and marked applied, where a give-up would have its saga compensate an applied command.
   */
  readonly last_send_over: boolean;
}

/** The refusal code a command given up by an operator is recorded with, and its saga handed. */
const GIVEN_UP = 'GIVEN_UP';
/** A failure's text as kept with its command: enough to tell what failed. */
const MAX_ERROR_LENGTH = 2_000;

export interface SagaCommandDispatcherOptions {
  readonly batchSize?: number;
  /** How long a claimed command is this sender's before another may send it again. */
  readonly claimSeconds?: number;
  readonly log?: (message: string) => void;
  readonly commandIdOf?: SagaCommandIds;
}

/**
 * Sends the commands saga steps left in the outbox, through the aggregates' repository, as the
 * system, with the ids the step gave them. A command is marked applied by the statement that
 * stores its events (`markedApplied`): a sender that dies after sending leaves it marked, one
 * that dies before stored nothing, and another sends it again when its claim lapses (its id
 * derives the same event ids, so the aggregate stores it once). A refusal (a `DomainError`, or
 * events that fail their own payload schemas: `refusalOf`) is recorded with the command and
 * handed to its saga as `command.refused`, in one transaction, so the saga can compensate. Any
 * other failure is counted with the command, and it goes again
 * when its claim lapses, until it succeeds, is refused, or an operator gives it up
 * (`SagaOutbox`): then the next claim records it refused with `GIVEN_UP` instead of sending it.
 * PostgreSQL never lets a recorded outcome be replaced (migration 20), so a command is never
 * both refused and applied: a send still under way when the refusal is recorded (its claim
 * lapsed) fails and stores nothing, and a refusal that comes after the events finds it sent.
 */
export class SagaCommandDispatcher {
  private readonly sagas: ReadonlyMap<string, AnySaga>;

  constructor(
    private readonly pool: Pool,
    private readonly store: PostgresEventStore,
    private readonly repository: AggregateRepository,
    private readonly catalog: AggregateCatalog,
    sagas: readonly AnySaga[],
    private readonly options: SagaCommandDispatcherOptions = {},
  ) {
    this.sagas = new Map(sagas.map((saga) => [saga.name, saga]));
  }

  /** Claims and sends the oldest unsent commands, each the oldest unsent of its instance; how many it claimed. */
  async dispatchOnce(): Promise<number> {
    // One instance's commands go out in the order its steps decided them (seq): a command is
    // claimed only once every older one of its instance has an outcome. An older one another
    // sender is still sending, or one that failed and waits for its claim to lapse, holds back
    // the later ones, whichever worker finds them. Other instances' go on: a command that fails
    // every time (a bug, not a refusal) holds back only its own instance.
    const { rows } = await this.pool.query<SagaCommandRow>(
      `WITH claimable AS (
         SELECT command_id, claimed_at AS previous_claim FROM saga_commands c
         WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < clock_timestamp())
           AND NOT EXISTS (
             SELECT 1 FROM saga_commands older
             WHERE older.saga = c.saga AND older.tenant_id = c.tenant_id AND older.instance_key = c.instance_key
               AND older.sent_at IS NULL AND older.seq < c.seq)
         ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       UPDATE saga_commands c SET claimed_until = clock_timestamp() + make_interval(secs => $1), claimed_at = clock_timestamp()
       FROM claimable WHERE c.command_id = claimable.command_id
       RETURNING c.command_id, c.saga, c.instance_key, c.tenant_id, c.aggregate_type, c.type, c.data, c.correlation_id, c.causation_id,
         c.attempts, c.last_error, c.give_up_by,
         claimable.previous_claim IS NULL OR coalesce(c.last_failed_at >= claimable.previous_claim, false) AS last_send_over`,
      [this.options.claimSeconds ?? 30, this.options.batchSize ?? 20],
    );
    // At most one command per instance is claimed, so one that fails holds back no other claimed with it.
    for (const row of rows) {
      await this.send(row).catch(async (error: unknown) => {
        this.options.log?.(`saga ${row.saga}: ${row.type} ${row.command_id} failed (${String(error)}); sent again when its claim lapses`);
        await this.recordFailure(row, error);
      });
    }
    return rows.length;
  }

  private async send(row: SagaCommandRow): Promise<void> {
    // Given up only once its last send is known to have ended (`last_send_over`); until then it is sent again, as ever.
    if (row.give_up_by !== null && row.last_send_over) {
      const after = row.last_error === null ? '' : ` after ${row.attempts} failed attempts (last: ${row.last_error})`;
      return this.refuse(row, GIVEN_UP, `Given up by operator ${row.give_up_by}${after}`);
    }
    const aggregate = this.catalog.entry(row.aggregate_type);
    if (!aggregate) return this.refuse(row, 'UNKNOWN_AGGREGATE', `No aggregate "${row.aggregate_type}"`);
    const metadata = {
      now: new Date().toISOString(),
      actor: SAGA_ACTOR,
      tenantId: row.tenant_id,
      commandId: row.command_id,
      correlationId: row.correlation_id,
      causationId: row.causation_id,
    };
    try {
      await this.repository.execute(aggregate, { type: row.type, data: row.data, metadata }, { recordedWith: markedApplied(row.command_id) });
    } catch (error) {
      if (isOutcomeRecorded(error)) {
        // Not the command's failure: it was given up (or refused) while this send was under way, which stored nothing.
        this.options.log?.(`saga ${row.saga}: ${row.type} ${row.command_id} had an outcome already; this send stored nothing`);
        return;
      }
      const refusal = refusalOf(error);
      if (refusal === null) throw error; // not sent: it stays claimed, and goes again when the claim lapses
      // Not the aggregate's rule but a saga that sent what cannot be stored: a bug to fix, so said.
      if (!(error instanceof DomainError)) {
        this.options.log?.(`saga ${row.saga}: ${row.type} ${row.command_id} refused ${refusal.code}: ${refusal.message}`);
      }
      return this.refuse(row, refusal.code, refusal.message, refusal.kind);
    }
    // Marked with its events already, unless none were stored now: a command that decides
    // nothing, or one answered from the events a sender from before migration 20 stored
    // without marking them (it died in between). A no-op otherwise.
    await this.mark(this.pool, row, 'applied', null);
  }

  /** Records the refusal and steps the saga with it, together: a crash between them sends the command again. */
  private async refuse(row: SagaCommandRow, code: string, message: string, kind?: string): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      // A sender whose claim lapsed while it sent may find the refusal recorded by the next one: the saga steps once.
      if (!(await this.mark(client, row, 'refused', { kind, code, message }))) return;
      const saga = this.sagas.get(row.saga);
      if (!saga) return;
      const stream = sagaStream(saga.name, row.tenant_id, row.instance_key);
      const loaded = await loadInstance(client, stream);
      const refused = commandRefused(row.type, code, message, new Date());
      const { instance_key: key, tenant_id: tenantId, command_id: messageId, correlation_id: correlationId } = row;
      const step = sagaStep(saga, loaded.instance, { key, tenantId, messageId, correlationId, message: refused }, this.options.commandIdOf);
      if (step === null) return; // the instance ended meanwhile: the refusal stays on record
      const trigger = { type: refused.type, id: messageId, correlationId, at: refused.occurredAt };
      await commitStep(client, this.store, saga.name, stream, loaded.version, step, trigger);
    });
  }

  /**
   * Kept with the command for operators (`SagaOutbox`). A database gone or stalled is not the
   * command's failure (it would pass once the database is back), so it is not counted.
   */
  private async recordFailure(row: SagaCommandRow, error: unknown): Promise<void> {
    if (isDatabaseStalled(error)) return;
    await this.pool
      .query(
        `UPDATE saga_commands SET attempts = attempts + 1, last_error = $2, last_failed_at = clock_timestamp()
         WHERE command_id = $1 AND sent_at IS NULL`,
        [row.command_id, String(error).slice(0, MAX_ERROR_LENGTH)],
      )
      .catch(() => undefined);
  }

  /** Records the command's outcome; false if another sender recorded one first. */
  private async mark(db: Pool | PoolClient, row: SagaCommandRow, outcome: 'applied' | 'refused', error: object | null): Promise<boolean> {
    const { rowCount } = await db.query(
      `UPDATE saga_commands SET sent_at = clock_timestamp(), outcome = $2, error = $3 WHERE command_id = $1 AND sent_at IS NULL`,
      [row.command_id, outcome, error === null ? null : JSON.stringify(error)],
    );
    return rowCount === 1;
  }
}
