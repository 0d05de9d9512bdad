import type { AnyAggregate } from './aggregate.js';

/** Which aggregate owns which event types: the generic events API appends through it. */
export class AggregateCatalog {
  private readonly byType = new Map<string, AnyAggregate>();
  private readonly ownerOfEvent = new Map<string, string>();

  register(aggregate: AnyAggregate): void {
    if (this.byType.has(aggregate.type)) throw new Error(`Aggregate type "${aggregate.type}" is registered twice`);
    this.byType.set(aggregate.type, aggregate);
    for (const type of aggregate.eventTypes) this.ownerOfEvent.set(type, aggregate.type);
  }

  entry(aggregateType: string): AnyAggregate | undefined {
    return this.byType.get(aggregateType);
  }

  /** Every registered aggregate, in registration order (operators' checks walk them all). */
  all(): readonly AnyAggregate[] {
    return [...this.byType.values()];
  }

  ownerOf(eventType: string): string | undefined {
    return this.ownerOfEvent.get(eventType);
  }
}
