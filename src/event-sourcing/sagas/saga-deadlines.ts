import type { Pool, PoolClient } from 'pg';
import type { PostgresEventStore } from '../store/postgres-event-store.js';
import { inTransaction } from '../store/in-transaction.js';
import { deadlineReached, type AnySaga } from './saga.js';
import { commitStep } from './saga-commit.js';
import { sagaStep } from './saga-step.js';
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

/**
 * Fires the deadlines that fell due, each in one transaction with the step it causes: the row
 * is locked (another worker skips it), deleted and the instance stepped, or nothing happens.
 * Deadlines live in PostgreSQL, so one that fell due while no worker ran fires, once, when one
 * comes back; a worker that dies mid-step leaves the row to the next.
 */
export class SagaDeadlines {
  private readonly byName: ReadonlyMap<string, AnySaga>;

  constructor(
    private readonly pool: Pool,
    private readonly store: PostgresEventStore,
    sagas: readonly AnySaga[],
  ) {
    this.byName = new Map(sagas.map((saga) => [saga.name, saga]));
  }

  /** Fires every deadline due now, one by one; how many it fired. */
  async fireDue(): Promise<number> {
    let fired = 0;
    while (await this.fireOne()) fired++;
    return fired;
  }

  private fireOne(): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<DeadlineRow>(
        `SELECT * FROM saga_deadlines WHERE due_at <= clock_timestamp() AND saga = ANY($1::text[])
         ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [[...this.byName.keys()]],
      );
      const row = rows[0];
      if (row) await this.fire(client, row);
      return row !== undefined;
    });
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
    const step = sagaStep(saga, loaded.instance, { key, tenantId, messageId, correlationId, message });
    if (step === null) return; // the instance ended meanwhile
    const trigger = { type: message.type, id: row.deadline_id, correlationId: row.correlation_id, at: row.due_at };
    await commitStep(client, this.store, saga.name, stream, loaded.version, step, trigger);
  }
}
