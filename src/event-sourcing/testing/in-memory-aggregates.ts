import type { AnyAggregate } from '../aggregates/aggregate.js';
import { AggregateCatalog } from '../aggregates/aggregate-catalog.js';
import { AggregateRepository } from '../aggregates/aggregate-repository.js';
import { InMemoryAggregateStorage } from '../aggregates/in-memory-aggregate-storage.js';
import { InMemoryReadModels } from '../aggregates/in-memory-read-models.js';
import { InlineProjections } from '../aggregates/inline-projections.js';
import { registerAggregate } from '../aggregates/register-aggregate.js';
import { EventRegistry } from '../store/event-registry.js';
import { InMemoryEventStore } from '../store/in-memory-event-store.js';

/**
 * A context's aggregates on the app's command path, in memory: `repository.execute(aggregate,
 * command)` validates the events against their schemas, appends them with the version it
 * decided on, and keeps the inline read models (`readModels.rows(table)`). No database: a
 * command and its read model are checked in a millisecond.
 */
export const inMemoryAggregates = (...aggregates: readonly AnyAggregate[]) => {
  const registry = new EventRegistry();
  const inlineProjections = new InlineProjections();
  const catalog = new AggregateCatalog();
  for (const aggregate of aggregates) registerAggregate(aggregate, { registry, inlineProjections, catalog });
  const store = new InMemoryEventStore(registry);
  const readModels = new InMemoryReadModels();
  const repository = new AggregateRepository(new InMemoryAggregateStorage(store, readModels, inlineProjections));
  return { repository, store, readModels };
};
