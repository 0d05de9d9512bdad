import { InlineRowChangeProjection } from '../projections/inline-row-change.projection.js';
import type { EventRegistry } from '../store/event-registry.js';
import type { AnyAggregate, InlineReadModel } from './aggregate.js';
import type { AggregateCatalog } from './aggregate-catalog.js';
import type { InlineProjection } from './inline-projection.js';
import type { InlineProjections } from './inline-projections.js';

/** Where a registration goes: one place per concern, filled from the aggregate's one definition. */
export interface AggregateRegistries {
  readonly registry: EventRegistry;
  readonly inlineProjections: InlineProjections;
  readonly catalog: AggregateCatalog;
}

const asInlineProjection = (aggregate: AnyAggregate, readModel: InlineReadModel): InlineProjection =>
  'changeOf' in readModel ? new InlineRowChangeProjection({ ...readModel, handles: readModel.handles ?? aggregate.eventTypes }) : readModel;

/** Its event types with their schemas, its inline read models, and itself for the events API. */
export const registerAggregate = (aggregate: AnyAggregate, { registry, inlineProjections, catalog }: AggregateRegistries): void => {
  registry.register(...aggregate.eventDefinitions);
  inlineProjections.register(...(aggregate.inlineProjections ?? []).map((readModel) => asInlineProjection(aggregate, readModel)));
  catalog.register(aggregate);
};
