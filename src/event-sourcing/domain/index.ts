/**
 * The core's vocabulary for a context's `domain/` folder: commands, events, deciders, domain
 * errors and the checks of text that comes in, with no framework behind them. Everything here
 * is also exported by the core's `index.ts`; domain code imports it from here so that it loads
 * no framework at all (nor does the CLI, until a command runs).
 */
export { ACTOR_TYPES, type Actor, type ActorType } from './actor.js';
export { assertNever, byCommandType, fold, type Command, type CommandMetadata, type Decider, type DirectAppendContext, type DomainEvent } from './decider.js';
export { CALENDAR_DAY_FORMAT, dayAfter, isCalendarDay, type CalendarDay } from './calendar-day.js';
export { DomainError, domainError, type DomainErrorKind } from './domain-error.js';
export { isDotSegment, NOT_A_DOT_SEGMENT } from './dot-segment.js';
export { exactWholeNumber } from './exact-whole-number.js';
export { isStorableText } from './storable-text.js';
