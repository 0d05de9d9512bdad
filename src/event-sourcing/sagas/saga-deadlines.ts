import type { Pool, PoolClient } from 'pg';
import type { PostgresEventStore } from '../store/postgres-event-store.js';
import { inTransaction } from '../store/in-transaction.js';
import { deadlineReached, type AnySaga } from './saga.js';
import { commitStep } from './saga-commit.js';
import { SagaReadHorizons } from './saga-read-horizons.js';
import { sagaStep, type SagaCommandIds } from './saga-step.js';
import { loadInstance, sagaStream } from './saga-stream.js';

interface DeadlineRow {
  readonly saga: string;
  readonly tenant_id: string;
  readonly instance_key: string;
  readonly name: string;
  readonly due_at: Date;
  readonly deadline_id: string;
  readonly correlation_id: string;
}

/** How long a deadline whose step failed waits before it is tried again: doubling from the first, up to the last. */
const FIRST_PAUSE_MS = 1_000;
const LONGEST_PAUSE_MS = 300_000;

export interface SagaDeadlinesOptions {
  readonly log?: (message: string) => void;
  readonly commandIdOf?: SagaCommandIds;
}

/**
 * Fires the deadlines that fell due, each in one transaction with the step it causes: the row
 * is locked (another worker skips it), deleted and the instance stepped, or nothing happens.
 * Deadlines live in PostgreSQL, so one that fell due while no worker ran fires, once, when one
 * comes back; a worker that dies mid-step leaves the row to the next. A deadline is handed to
 * its saga only once the saga's subscription has read every event committed before it fell due
 * (`SagaReadHorizons`): one that comes before (the subscription lags, or is catching up after
 * every worker was down) waits for it, so an event in time always wins. One whose step fails (a
 * saga's reaction that throws) stays, and this poller leaves it alone for a while, longer each
 * time, while it fires the others: the oldest due deadline failing must not hold back the rest.
 */
export class SagaDeadlines {
  private readonly byName: ReadonlyMap<string, AnySaga>;
  /** Deadlines whose step failed here: how often, and when to try again. */
  private readonly failures = new Map<string, { readonly failures: number; readonly retryAt: number }>();
  private readonly horizons: SagaReadHorizons;

  constructor(
    private readonly pool: Pool,
    private readonly store: PostgresEventStore,
    sagas: readonly AnySaga[],
    private readonly options: SagaDeadlinesOptions = {},
  ) {
    this.byName = new Map(sagas.map((saga) => [saga.name, saga]));
    this.horizons = new SagaReadHorizons(pool, [...this.byName.keys()]);
  }

  /**
   * Fires every deadline due now whose saga has read every event committed before it fell due,
   * one by one, but those paused after failing; how many it fired.
   */
  async fireDue(): Promise<number> {
    const horizons = await this.horizons.current();
    if (horizons.size === 0) return 0;
    let fired = 0;
    for (;;) {
      const outcome = await this.fireOne(horizons);
      if (outcome === 'none') return fired;
      if (outcome === 'fired') fired++;
    }
  }

  private async fireOne(horizons: ReadonlyMap<string, Date>): Promise<'fired' | 'failed' | 'none'> {
    let row: DeadlineRow | undefined;
    try {
      return await inTransaction(this.pool, async (client) => {
        const { rows } = await client.query<DeadlineRow>(
          `SELECT d.* FROM saga_deadlines d JOIN unnest($1::text[], $2::timestamptz[]) AS h(saga, read_up_to) ON d.saga = h.saga
           WHERE d.due_at <= least(h.read_up_to, clock_timestamp()) AND d.deadline_id <> ALL($3::uuid[])
           ORDER BY d.due_at LIMIT 1 FOR UPDATE OF d SKIP LOCKED`,
          [[...horizons.keys()], [...horizons.values()], this.paused()],
        );
        row = rows[0];
        if (!row) return 'none';
        await this.fire(client, row);
        this.failures.delete(row.deadline_id);
        return 'fired';
      });
    } catch (error) {
      if (row === undefined) throw error; // no deadline in hand: the database's error, for the loop to log
      this.pause(row, error);
      return 'failed';
    }
  }

  /** The deadlines not to try yet; forgets those long past their pause (fired or dropped elsewhere since). */
  private paused(): string[] {
    const now = Date.now();
    for (const [id, { retryAt }] of this.failures) if (retryAt + LONGEST_PAUSE_MS < now) this.failures.delete(id);
    return [...this.failures].filter(([, { retryAt }]) => retryAt > now).map(([id]) => id);
  }

  private pause(row: DeadlineRow, error: unknown): void {
    const failures = (this.failures.get(row.deadline_id)?.failures ?? 0) + 1;
    const pauseMs = Math.min(FIRST_PAUSE_MS * 2 ** (failures - 1), LONGEST_PAUSE_MS);
    this.failures.set(row.deadline_id, { failures, retryAt: Date.now() + pauseMs });
    this.options.log?.(
      `saga ${row.saga}: deadline ${row.name} of ${row.instance_key} failed (${String(error)}); tried again in ${pauseMs / 1000} s`,
    );
  }

  private async fire(client: PoolClient, row: DeadlineRow): Promise<void> {
    const saga = this.byName.get(row.saga)!;
    await client.query(`DELETE FROM saga_deadlines WHERE saga = $1 AND tenant_id = $2 AND instance_key = $3 AND name = $4`, [
      row.saga,
      row.tenant_id,
      row.instance_key,
      row.name,
    ]);
    const stream = sagaStream(saga.name, row.tenant_id, row.instance_key);
    const loaded = await loadInstance(client, stream);
    const message = deadlineReached(row.name, row.due_at);
    const { instance_key: key, tenant_id: tenantId, deadline_id: messageId, correlation_id: correlationId } = row;
    const step = sagaStep(saga, loaded.instance, { key, tenantId, messageId, correlationId, message }, this.options.commandIdOf);
    if (step === null) return; // the instance ended meanwhile
    const trigger = { type: message.type, id: row.deadline_id, correlationId: row.correlation_id, at: row.due_at };
    await commitStep(client, this.store, saga.name, stream, loaded.version, step, trigger);
  }
}
