import { defineAggregate, LOWER_CASE_UUID } from '../../event-sourcing/index.js';
import { practiceCommandFor, practiceDecider } from './domain/practice.decide.js';
import { practiceDirectoryChanges, practiceMembersChanges } from './infrastructure/practice-directory.projection.js';
import { practiceEventSchemas } from './infrastructure/tenancy.event-schemas.js';

/** A practice, the tenant: its members and their roles, kept inline for the access guard. */
export const practices = defineAggregate({
  type: 'practice',
  decider: practiceDecider,
  idOf: (command) => command.metadata.tenantId,
  // Ids are compared as text: the same UUID in capitals would be another one.
  idFormat: LOWER_CASE_UUID,
  events: practiceEventSchemas,
  inlineProjections: [practiceDirectoryChanges, practiceMembersChanges],
  snapshots: { every: 100, schemaVersion: 1 },
  isTenant: true,
  directAppends: practiceCommandFor,
});
