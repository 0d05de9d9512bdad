import type { PoolClient } from 'pg';
import type { RecordedEvent } from '../store/event-envelope.js';
import type { AsyncProjection, TableNames } from './async-projection.js';

/**
 * A side effect that follows a projection. The reactor consumes the log through the
 * projection's subscription: its jobs are enqueued in the transaction that applies the
 * projection and moves its checkpoint, so a job exists only if the read model committed, once
 * per event; `ReactorRunner` runs them once due. Not a subscription of its own: with its own
 * checkpoint it could react to events the stopped projection has not applied. The
 * de-duplication key drops repeats (e.g. one welcome mail per customer).
 */
export interface Reactor {
  readonly name: string;
  readonly handles: readonly string[];
  /** Jobs with the same key run once; defaults to the event id. */
  readonly dedupKey?: (event: RecordedEvent) => string;
  /** Wait this long after the event before reacting. */
  readonly delayMs?: number;
  readonly maxAttempts?: number;
  readonly react: (event: RecordedEvent) => Promise<void>;
}

const enqueue = async (client: PoolClient, reactor: Reactor, events: readonly RecordedEvent[]): Promise<void> => {
  const handled = events.filter((e) => reactor.handles.includes(e.type));
  if (handled.length === 0) return;
  await client.query(
    `INSERT INTO reactor_jobs (reactor, dedup_key, event_id, due_at)
     SELECT $1, k, e, now() + make_interval(secs => $4) FROM unnest($2::text[], $3::uuid[]) AS j(k, e)
     ON CONFLICT (reactor, dedup_key) DO NOTHING`,
    [reactor.name, handled.map((e) => reactor.dedupKey?.(e) ?? e.eventId), handled.map((e) => e.eventId), (reactor.delayMs ?? 0) / 1000],
  );
};

/** The projection, with its reactors' jobs enqueued in the same transaction as its writes. */
export const withReactors = (projection: AsyncProjection, reactors: readonly Reactor[]): AsyncProjection => ({
  ...projection,
  handles: [...new Set([...projection.handles, ...reactors.flatMap((r) => r.handles)])],
  async apply(client: PoolClient, events: readonly RecordedEvent[], tables: TableNames) {
    await projection.apply(client, events.filter((e) => projection.handles.includes(e.type)), tables);
    for (const reactor of reactors) await enqueue(client, reactor, events);
  },
});
