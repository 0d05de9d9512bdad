import { defineAggregate } from '../../event-sourcing/index.js';
import { practiceCommandFor, practiceDecider } from './domain/practice.decide.js';
import { practiceDirectoryChanges, practiceMembersChanges } from './infrastructure/practice-directory.projection.js';
import { practiceEventSchemas } from './infrastructure/tenancy.event-schemas.js';

/** A practice, the tenant: its members and their roles, kept inline for the access guard. */
export const practices = defineAggregate({
  type: 'practice',
  decider: practiceDecider,
  idOf: (command) => command.metadata.tenantId,
  events: practiceEventSchemas,
  inlineProjections: [practiceDirectoryChanges, practiceMembersChanges],
  snapshots: { every: 100, schemaVersion: 1 },
  isTenant: true,
  directAppends: practiceCommandFor,
});
