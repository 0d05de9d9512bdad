import type { Decider } from '../domain/decider.js';

export interface CatalogEntry {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- entries hold deciders of any state
  readonly decider: Decider<any, any, any>;
  /** The stored event types this aggregate owns. */
  readonly eventTypes: readonly string[];
  /** The aggregate is the tenant itself: its id must equal the tenant id (e.g. a practice). */
  readonly isTenant?: boolean;
}

/** Which aggregate owns which event types: the generic events API appends through it. */
export class AggregateCatalog {
  private readonly byType = new Map<string, CatalogEntry>();
  private readonly ownerOfEvent = new Map<string, string>();

  register(entry: CatalogEntry): void {
    const aggregateType = entry.decider.aggregateType;
    if (this.byType.has(aggregateType)) throw new Error(`Aggregate type "${aggregateType}" is registered twice`);
    this.byType.set(aggregateType, entry);
    for (const type of entry.eventTypes) this.ownerOfEvent.set(type, aggregateType);
  }

  entry(aggregateType: string): CatalogEntry | undefined {
    return this.byType.get(aggregateType);
  }

  ownerOf(eventType: string): string | undefined {
    return this.ownerOfEvent.get(eventType);
  }
}
