import type { PoolClient } from 'pg';
import type { RecordedEvent } from '../store/event-envelope.js';
import type { PersonalFieldsView } from '../personal-data/personal-fields.js';

/**
 * What happens to an event whose handler still throws after `maxAttempts`: the subscription
 * stops at it (nothing after it is handled until an operator retries or skips it), or the
 * event is skipped. Either way it is kept in the dead-letter table with the error.
 */
export type ErrorPolicy = 'stop' | 'skip';

/** How the engine runs a subscription, whatever it does with the events. */
export interface SubscriptionSettings {
  /**
   * Keys its checkpoints, leases, kill switch and dead letters (rows of the `projection_*`
   * tables, named when projections were the only subscriptions): a new name starts at event 0.
   */
  readonly name: string;
  /** The event types it is given; the log reader leaves the others out in PostgreSQL. */
  readonly handles: readonly string[];
  /** Streams are spread over this many partitions (hash of the stream), each with its own checkpoint and lease. */
  readonly partitions: number;
  readonly errorPolicy: ErrorPolicy;
  readonly maxAttempts: number;
  /** `redacted` when it keeps no personal data: its events come with personal fields as `REDACTED` (see `PersonalFieldsView`). */
  readonly personalFields?: PersonalFieldsView;
}

/**
 * A named consumer of the global log, run by `SubscriptionWorker`: async projections today,
 * sagas and the relay next. `handle` gets the events of one partition in log order (so each
 * stream's in order), or of several of a worker's partitions that reached the same rows at once,
 * merged in log order; never an empty batch, inside the transaction that moves their
 * checkpoints: what it writes through `client` commits with the checkpoint, so each event is
 * handled exactly once as far as this database sees. Any other effect (a broker, a mail)
 * happens at least once: again if the transaction fails after it.
 */
export interface Subscription extends SubscriptionSettings {
  handle(client: PoolClient, events: readonly RecordedEvent[]): Promise<void>;
  /**
   * Commit without waiting for the WAL flush (default false). Right for writes a re-run makes
   * again (read models: a crash loses only the newest batches, handled again from the older
   * checkpoint); wrong for anything others may act on before the flush, such as appended events.
   */
  readonly asyncCommit?: boolean;
  /**
   * Told, after the transaction committed, which events it handled: to wake what acts on its
   * writes at once (a saga's outbox sender) instead of at its next poll. Must not throw.
   */
  readonly committed?: (events: readonly RecordedEvent[]) => void;
}

/** The settings an author may leave to the defaults. */
export interface SubscriptionOptions {
  readonly partitions?: number;
  readonly errorPolicy?: ErrorPolicy;
  readonly maxAttempts?: number;
  /** `opened` when omitted. */
  readonly personalFields?: PersonalFieldsView;
}

export const DEFAULT_PARTITIONS = 4;
const DEFAULT_MAX_ATTEMPTS = 5;

/** The runtime settings, defaults filled in. */
export const withDefaults = (options: SubscriptionOptions): Omit<SubscriptionSettings, 'name' | 'handles'> => ({
  partitions: options.partitions ?? DEFAULT_PARTITIONS,
  errorPolicy: options.errorPolicy ?? 'stop',
  maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
  personalFields: options.personalFields ?? 'opened',
});
