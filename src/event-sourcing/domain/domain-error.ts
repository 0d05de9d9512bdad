/**
 * A broken business rule. `kind` decides the HTTP status (not-found 404, rule-violated 422,
 * conflict 409, forbidden 403 — a rule about who may decide); `code` is stable and
 * machine-readable.
 */
export type DomainErrorKind = 'not-found' | 'rule-violated' | 'conflict' | 'forbidden';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  abstract readonly code: string;

  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A domain error class in one line: `export class RoomRetired extends domainError('conflict', 'ROOM_RETIRED') {}`,
 * thrown as `new RoomRetired('Room 7 is retired', { roomId })`.
 */
export const domainError = <const Code extends string>(kind: DomainErrorKind, code: Code) =>
  class extends DomainError {
    readonly kind = kind;
    readonly code = code;
  };
