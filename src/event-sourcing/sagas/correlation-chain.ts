import type { Pool } from 'pg';
import type { Actor } from '../domain/actor.js';
import type { EventStore } from '../store/event-store.js';
import { SAGA_ACTOR } from './saga-commit.js';

/** One link of a business process: an event as stored, or a command a saga sent. */
export type ChainLink =
  | {
      readonly kind: 'event';
      readonly eventId: string;
      readonly aggregateType: string;
      readonly aggregateId: string;
      readonly version: number;
      readonly type: string;
      readonly data: unknown;
      readonly actor: Actor;
      readonly commandId: string | null;
      readonly causationId: string | null;
      readonly occurredAt: string;
      readonly recordedAt: string;
    }
  | {
      readonly kind: 'command';
      readonly commandId: string;
      readonly sentBy: string;
      readonly aggregateType: string;
      readonly aggregateId: string | null;
      readonly type: string;
      readonly data: unknown;
      readonly actor: Actor;
      readonly causationId: string;
      readonly outcome: 'applied' | 'refused' | null;
      readonly error: unknown;
      readonly createdAt: string;
      readonly sentAt: string | null;
    };

interface CommandRow {
  readonly command_id: string;
  readonly saga: string;
  readonly aggregate_type: string;
  readonly type: string;
  readonly data: unknown;
  readonly causation_id: string;
  readonly outcome: 'applied' | 'refused' | null;
  readonly error: unknown;
  readonly created_at: Date;
  readonly sent_at: Date | null;
}

/** A chain shows at most this many events: a longer process is cut there, and says so. */
export const CHAIN_EVENTS = 1_000;

/** One business process in a tenant: its links, and whether it went on past `CHAIN_EVENTS` events. */
export interface CorrelationChain {
  readonly chain: ChainLink[];
  /** True when the process has more events (and the commands they caused) than the chain shows. */
  readonly truncated: boolean;
}

/**
 * The chain of one business process in a tenant, in causal order: its events in log
 * order, each followed by the commands sagas sent because of it (their events come later in
 * the log). A command from a caller shows as the `commandId` its events carry.
 */
export class CorrelationChains {
  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
  ) {}

  async of(tenantId: string, correlationId: string): Promise<CorrelationChain> {
    const [read, { rows }] = await Promise.all([
      this.store.readCorrelation(tenantId, correlationId, { limit: CHAIN_EVENTS + 1 }),
      this.pool.query<CommandRow>(
        `SELECT command_id, saga, aggregate_type, type, data, causation_id, outcome, error, created_at, sent_at
         FROM saga_commands WHERE tenant_id = $1 AND correlation_id = $2 ORDER BY seq`,
        [tenantId, correlationId],
      ),
    ]);
    const commandsAfter = new Map<string, CommandRow[]>();
    for (const row of rows) commandsAfter.set(row.causation_id, [...(commandsAfter.get(row.causation_id) ?? []), row]);
    const events = read.slice(0, CHAIN_EVENTS);
    const chain = events.flatMap((event): ChainLink[] => [
      {
        kind: 'event',
        eventId: event.eventId,
        aggregateType: event.aggregateType,
        aggregateId: event.aggregateId,
        version: event.version,
        type: event.type,
        data: event.data,
        actor: event.metadata.actor,
        commandId: event.metadata.commandId ?? null,
        causationId: event.metadata.causationId ?? null,
        occurredAt: event.occurredAt.toISOString(),
        recordedAt: event.recordedAt.toISOString(),
      },
      ...(commandsAfter.get(event.eventId) ?? []).map((row): ChainLink => commandLink(row)),
    ]);
    return { chain, truncated: read.length > CHAIN_EVENTS };
  }
}

const commandLink = (row: CommandRow): ChainLink => ({
  kind: 'command',
  commandId: row.command_id,
  sentBy: `saga:${row.saga}`,
  aggregateType: row.aggregate_type,
  aggregateId: null,
  type: row.type,
  data: row.data,
  actor: SAGA_ACTOR,
  causationId: row.causation_id,
  outcome: row.outcome,
  error: row.error,
  createdAt: row.created_at.toISOString(),
  sentAt: row.sent_at?.toISOString() ?? null,
});
