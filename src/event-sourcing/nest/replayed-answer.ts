/**
 * The answer a keyed request got the first time, sent again as it was: thrown by the
 * idempotency guard so that nothing after it runs, and sent by `ErrorResponseFilter`.
 */
export class ReplayedAnswer extends Error {
  constructor(
    readonly status: number,
    readonly headers: Readonly<Record<string, string>>,
    readonly body: unknown,
  ) {
    super(`replayed answer ${status}`);
  }
}
