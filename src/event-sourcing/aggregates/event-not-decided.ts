import { DomainError } from '../domain/domain-error.js';

/** A direct append of an event the aggregate would not decide now (e.g. a change that changes nothing). */
export class EventNotDecided extends DomainError {
  readonly kind = 'conflict';
  readonly code = 'EVENT_NOT_DECIDED';
  constructor(eventType: string, aggregateType: string) {
    super(`The ${aggregateType} would not record "${eventType}" in its current state`, { eventType, aggregateType });
  }
}
