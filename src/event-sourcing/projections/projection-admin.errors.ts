import { DomainError } from '../domain/domain-error.js';

/** What an operator's request to the projection admin can run into; the one error filter maps each kind to its status. */
export class ProjectionNotFound extends DomainError {
  readonly kind = 'not-found';
  readonly code = 'PROJECTION_NOT_FOUND';
  constructor(name: string) {
    super(`No projection named ${name}`, { name });
  }
}

export class PositionNotFound extends DomainError {
  readonly kind = 'not-found';
  readonly code = 'POSITION_NOT_FOUND';
  constructor(position: number) {
    super(`No event at position ${position}`, { position });
  }
}

export class DeadLetterNotFound extends DomainError {
  readonly kind = 'not-found';
  readonly code = 'DEAD_LETTER_NOT_FOUND';
  constructor(id: string | number) {
    super(`No dead letter ${id}`, { id });
  }
}

export class RebuildInProgress extends DomainError {
  readonly kind = 'conflict';
  readonly code = 'REBUILD_IN_PROGRESS';
  constructor(name: string) {
    super(`${name} is being rebuilt already`, { name });
  }
}

/** The lease stayed held by clean-ups of an interrupted rebuild (a DROP waiting behind a reader, say): nothing was started. */
export class RebuildNotStarted extends DomainError {
  readonly kind = 'conflict';
  readonly code = 'REBUILD_NOT_STARTED';
  constructor(name: string) {
    super(`${name} was not rebuilt: an interrupted rebuild of it is still being cleaned up; ask again`, { name });
  }
}

/** Why a rebuild ended unfinished when its process shut down: the old model keeps serving; start it again. */
export class RebuildStopped extends Error {
  constructor() {
    super('the rebuild was stopped: its process is shutting down');
  }
}
