import { defineAggregate } from '../../event-sourcing/index.js';
import { userCommandFor, userDecider } from './domain/user.js';
import { userEventSchemas } from './infrastructure/tenancy.event-schemas.js';

/** A person's profile within a practice. */
export const users = defineAggregate({
  type: 'user',
  decider: userDecider,
  idOf: (command) => command.data.userId,
  events: userEventSchemas,
  directAppends: userCommandFor,
});
