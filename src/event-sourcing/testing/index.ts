/** The core's test kit: given/when/then for deciders, projections and repositories, and builders. */
export { deciderSpec } from './decider-spec.js';
export { repositorySpec } from './repository-spec.js';
export { inMemoryAggregates } from './in-memory-aggregates.js';
export { recordedEvent, type RecordedEventOverrides } from './recorded-event.js';
export { projectionSpec, type ProjectionScenario, type ProjectionScenarioOnPostgres } from './projection-spec.js';
export { sagaSpec, type ExpectedReaction } from './saga-spec.js';
export { inMemorySagas } from './in-memory-sagas.js';
export { checkQuickCheckAgreement, classValidatorAccepts, type Agreement } from './payload-validation-agreement.js';
export { classArbitrary } from './payload-arbitrary.js';
