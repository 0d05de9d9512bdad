/** More messages than this with uncounted failures means something is wrong beyond them: the oldest are forgotten. */
const MAX_TRACKED = 10_000;

/**
 * Failed attempts PostgreSQL would not count (`inbox_failures` refused the row, and not because
 * the database is down), counted in this process's memory, so that such a message too reaches
 * its consumer's `maxAttempts` instead of coming back forever. Another process, or this one
 * after a restart, counts afresh: still a bounded number of attempts.
 */
export class UncountedFailures {
  private readonly attempts = new Map<string, number>();

  /** One more uncounted failed attempt at the message: how many so far. */
  add(consumer: string, messageId: string): number {
    const key = keyOf(consumer, messageId);
    const attempts = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.delete(key); // re-inserted last: the map stays in the order of the latest attempt
    this.attempts.set(key, attempts);
    if (this.attempts.size > MAX_TRACKED) this.attempts.delete(this.attempts.keys().next().value!);
    return attempts;
  }

  /** The message was handled, counted in PostgreSQL or dropped: its uncounted attempts are over. */
  forget(consumer: string, messageId: string): void {
    if (this.attempts.size > 0) this.attempts.delete(keyOf(consumer, messageId));
  }
}

const keyOf = (consumer: string, messageId: string): string => `${consumer}\u0000${messageId}`;
