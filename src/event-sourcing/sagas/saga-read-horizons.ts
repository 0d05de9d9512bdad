import type { Pool } from 'pg';
import { sagaSubscriptionName } from './saga-subscription.js';

/** A snapshot of the log taken by an earlier round, waiting for the saga's subscription to read what it saw. */
interface Probe {
  readonly snapshot: string;
  readonly takenAt: Date;
}

interface HorizonRow {
  readonly saga: string;
  readonly taken_at: Date;
  readonly snapshot: string;
  /** The subscription has read every event committed now. */
  readonly read_now: boolean;
  /** It has read every event its pending probe saw committed (false with no probe). */
  readonly read_probe: boolean;
}

// Per saga: where its subscription stands (the least of its partitions' checkpoints; the log's
// start when it has none yet), and whether an event lies beyond it that the current snapshot, or
// the pending probe's, saw committed. Each is the first row of an index range scan of the global
// order from the checkpoint (a scalar subquery with ORDER BY … LIMIT 1: as EXISTS, the planner may
// take a sequential scan that reads the whole log when nothing matches): a lagging subscription
// finds one at once, one that is caught up finds at most the rows of transactions that were still
// open when the probe's snapshot was taken. `now()` is the start of this statement's own
// transaction (pool.query: an implicit one), so before its snapshot: every transaction committed
// before it is visible in the snapshot.
const AFTER_CHECKPOINT = `(e.transaction_id, e.position) > (coalesce(c.transaction_id, '0'::xid8), coalesce(c.position, 0))`;
const FIRST = 'ORDER BY e.transaction_id, e.position LIMIT 1';
const HORIZONS = `
  SELECT s.saga, now() AS taken_at, pg_current_snapshot()::text AS snapshot,
    (SELECT 1 FROM events e WHERE ${AFTER_CHECKPOINT} ${FIRST}) IS NULL AS read_now,
    s.probe IS NOT NULL AND (
      SELECT 1 FROM events e WHERE ${AFTER_CHECKPOINT} AND e.transaction_id < pg_snapshot_xmax(s.probe::pg_snapshot)
        AND pg_visible_in_snapshot(e.transaction_id, s.probe::pg_snapshot) ${FIRST}
    ) IS NULL AS read_probe
  FROM unnest($1::text[], $2::text[], $3::text[]) AS s(saga, subscription, probe)
  LEFT JOIN LATERAL (
    SELECT transaction_id, position FROM projection_checkpoints WHERE projection = s.subscription ORDER BY transaction_id, position LIMIT 1
  ) c ON true`;

/**
 * How far each saga's subscription has read the log, as a time: every event committed before
 * it has reached the saga (its step committed with the checkpoint). The deadline poller hands a
 * deadline over only once its due time is within it, so a saga never hears its deadline before
 * an event committed in time (a capture recorded a minute before the deposit deadline, the
 * saga's subscription lagging or every worker down): the deadline waits for it instead.
 *
 * A round asks whether the subscription has read everything committed now; if not, that
 * snapshot of the log stays as the saga's probe, and a later round asks about it until the
 * subscription has read all it saw: the horizon then moves to the probe's time. A probe is
 * kept until it is read, never replaced by a newer one, so a subscription that is always a
 * little behind a busy log still moves the horizon on. One statement per round for all sagas,
 * and no scan of the log per deadline.
 */
export class SagaReadHorizons {
  private readonly probes = new Map<string, Probe>();
  private readonly horizons = new Map<string, Date>();

  constructor(
    private readonly pool: Pool,
    private readonly sagas: readonly string[],
  ) {}

  /** Each saga's horizon now; a saga whose subscription has not yet read what it saw at the first round has none. */
  async current(): Promise<ReadonlyMap<string, Date>> {
    const probes = this.sagas.map((saga) => this.probes.get(saga)?.snapshot ?? null);
    const { rows } = await this.pool.query<HorizonRow>(HORIZONS, [this.sagas, this.sagas.map(sagaSubscriptionName), probes]);
    for (const row of rows) {
      const probe = this.probes.get(row.saga);
      const fresh = { snapshot: row.snapshot, takenAt: row.taken_at };
      if (row.read_now) {
        this.horizons.set(row.saga, row.taken_at);
        this.probes.delete(row.saga);
      } else if (probe && row.read_probe) {
        this.horizons.set(row.saga, probe.takenAt);
        this.probes.set(row.saga, fresh);
      } else if (!probe) {
        this.probes.set(row.saga, fresh);
      }
    }
    return this.horizons;
  }
}
