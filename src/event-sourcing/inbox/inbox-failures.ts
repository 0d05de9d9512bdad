import type { Pool, PoolClient } from 'pg';
import { REDACTED } from '../personal-data/personal-fields.js';
import type { PersonalCopies } from '../personal-data/subject-forgetting.js';
import { DeadLetterNotFound } from '../projections/projection-admin.errors.js';
import type { RelayedEvent } from '../relay/relayed-event.js';
import type { EventRegistry } from '../store/event-registry.js';
import { storableText } from '../domain/storable-text.js';

/** A message an inbox consumer gave up on, as operators see it. */
export interface InboxDeadLetter {
  readonly id: number;
  readonly consumer: string;
  readonly messageId: string;
  readonly routingKey: string;
  readonly eventType: string | null;
  readonly error: string;
  readonly attempts: number;
  readonly firstFailedAt: string;
  readonly lastFailedAt: string;
  readonly parkedAt: string;
  /** Set from the retry's request until a process running the consumer has tried it. */
  readonly retryRequestedAt: string | null;
}

/** A parked message an operator asked to have handled again. */
export interface RetryRequested {
  readonly id: number;
  readonly consumer: string;
  readonly messageId: string;
  readonly event: RelayedEvent;
}

/** What a failed attempt left: parked once the attempts reached the consumer's limit. */
export interface FailureCount {
  readonly attempts: number;
  readonly parked: boolean;
}

/** A handler's error may quote the message (a NUL in it): as shown, it must not fail the statement that records it. */
const errorText = (error: unknown): string => storableText(error instanceof Error ? error.message : String(error));

/** How `message` holds a body: the JSON itself, or its text (a jsonb string) when jsonb cannot hold the JSON. */
const AS_JSONB = '$4::jsonb';
const AS_TEXT = 'to_jsonb($4::text)';

/**
 * PostgreSQL refused a value of the statement (SQLSTATE class 22, data exception: `\u0000`, half a
 * surrogate pair, a number out of range; class 54, a program limit: nesting too deep, too big).
 */
const refusesValue = (error: unknown): boolean =>
  error instanceof Error && /^(22|54)/.test(String((error as { code?: unknown }).code));

/** A kept message as it was published: a body kept as text is parsed again (JSON.parse took it when it came). */
const publishedBody = (message: unknown): unknown => (typeof message === 'string' ? JSON.parse(message) : message);

/**
 * The `inbox_failures` table: the attempts of each failing message and the messages parked
 * after their last attempt. A message's row goes in the transaction that handles it at last
 * (`FORGET_AND_RECORD` in the runner's own statement), so a failure that passes leaves nothing.
 *
 * `message` is the body as jsonb, or, when jsonb refuses what JSON allows (`\u0000` or half a
 * surrogate pair in a string, a number past numeric's range), the body's text as a jsonb string.
 * Either way it is kept whole: a retry hands the handler what the first delivery did.
 */
export class InboxFailures {
  constructor(private readonly pool: Pool) {}

  /**
   * Records the inbox row of a message about to be handled (none if it was handled before) and
   * forgets its failures, in one statement: both hold only if the handling commits.
   */
  static readonly FORGET_AND_RECORD = `WITH forgotten AS (DELETE FROM inbox_failures WHERE consumer = $1 AND message_id = $2)
    INSERT INTO inbox (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`;

  /**
   * One more failed attempt; the one that reaches `maxAttempts` parks the message (a parked one
   * stays parked). `content` is the body's JSON text. A body jsonb refuses is kept as text, and
   * the error says so. Throws when even that cannot be recorded (the message id is not storable
   * text, PostgreSQL is down or refuses writes).
   */
  async count(
    consumer: string,
    messageId: string,
    routingKey: string,
    content: string,
    error: unknown,
    maxAttempts: number,
  ): Promise<FailureCount> {
    const failure = { consumer, messageId, routingKey: storableText(routingKey), content, maxAttempts };
    try {
      return await this.upsert(failure, AS_JSONB, errorText(error));
    } catch (refused) {
      if (!refusesValue(refused)) throw refused;
      const note = ` (its body is kept as text: PostgreSQL's jsonb refused it: ${errorText(refused)})`;
      return this.upsert(failure, AS_TEXT, errorText(error) + note);
    }
  }

  private async upsert(
    failure: { consumer: string; messageId: string; routingKey: string; content: string; maxAttempts: number },
    message: typeof AS_JSONB | typeof AS_TEXT,
    error: string,
  ): Promise<FailureCount> {
    const { consumer, messageId, routingKey, content, maxAttempts } = failure;
    const { rows } = await this.pool.query<FailureCount>(
      `INSERT INTO inbox_failures (consumer, message_id, routing_key, message, error, attempts, parked_at)
       VALUES ($1, $2, $3, ${message}, $5, 1, CASE WHEN $6::int <= 1 THEN now() END)
       ON CONFLICT (consumer, message_id) DO UPDATE SET
         error = excluded.error, attempts = inbox_failures.attempts + 1, last_failed_at = now(),
         parked_at = CASE WHEN inbox_failures.attempts + 1 >= $6::int THEN coalesce(inbox_failures.parked_at, now()) END
       RETURNING attempts, parked_at IS NOT NULL AS parked`,
      [consumer, messageId, routingKey, content, error, maxAttempts],
    );
    return rows[0];
  }

  /** Parked messages, oldest first; of one consumer, or of all. */
  list(consumer?: string): Promise<InboxDeadLetter[]> {
    return this.parked({ consumer });
  }

  private async parked(only: { readonly consumer?: string; readonly id?: number }): Promise<InboxDeadLetter[]> {
    const { rows } = await this.pool.query<InboxDeadLetter>(
      `SELECT id::int, consumer, message_id AS "messageId", routing_key AS "routingKey", message->>'type' AS "eventType",
              error, attempts, to_json(first_failed_at)#>>'{}' AS "firstFailedAt", to_json(last_failed_at)#>>'{}' AS "lastFailedAt",
              to_json(parked_at)#>>'{}' AS "parkedAt", to_json(retry_requested_at)#>>'{}' AS "retryRequestedAt"
       FROM inbox_failures
       WHERE parked_at IS NOT NULL AND ($1::text IS NULL OR consumer = $1) AND ($2::bigint IS NULL OR id = $2) ORDER BY id`,
      [only.consumer ?? null, only.id ?? null],
    );
    return rows;
  }

  /** Parked messages per consumer, for the metrics. */
  async parkedByConsumer(): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ consumer: string; n: number }>(
      `SELECT consumer, count(*)::int AS n FROM inbox_failures WHERE parked_at IS NOT NULL GROUP BY consumer`,
    );
    return new Map(rows.map((row) => [row.consumer, row.n]));
  }

  /** Asks the processes running the message's consumer to handle it again. */
  async requestRetry(id: number): Promise<InboxDeadLetter> {
    if (!Number.isSafeInteger(id) || id < 1) throw new DeadLetterNotFound(id);
    const { rowCount } = await this.pool.query(
      `UPDATE inbox_failures SET retry_requested_at = now() WHERE id = $1 AND parked_at IS NOT NULL`,
      [id],
    );
    const [letter] = rowCount === 1 ? await this.parked({ id }) : [];
    if (!letter) throw new DeadLetterNotFound(id);
    return letter;
  }

  /** The oldest retry asked for of these consumers, locked by `client`'s transaction (another process skips it). */
  async takeRetry(client: PoolClient, consumers: readonly string[]): Promise<RetryRequested | undefined> {
    const { rows } = await client.query<RetryRequested>(
      `SELECT id::int, consumer, message_id AS "messageId", message AS event FROM inbox_failures
       WHERE retry_requested_at IS NOT NULL AND consumer = ANY($1::text[])
       ORDER BY retry_requested_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [consumers],
    );
    return rows[0] && { ...rows[0], event: publishedBody(rows[0].event) as RelayedEvent };
  }

  /**
   * The failed messages keep events as the relay published them, personal fields opened: a
   * forgetting redacts them as it does read models, so a parked message neither shows nor hands
   * a retry what was forgotten. Bodies kept as text are read in JavaScript: jsonb cannot see into them.
   */
  personalCopies(registry: EventRegistry): PersonalCopies {
    return {
      redactWithin: async (client, tenantId, subjectId) => {
        let redacted = 0;
        for (const [subjectField, types] of registry.typesBySubjectField()) {
          const { rows } = await client.query<{ id: string; type: string; data: Record<string, unknown> }>(
            `SELECT id, message->>'type' AS type, message->'data' AS data FROM inbox_failures
             WHERE message->'stream'->>'tenantId' = $1 AND message->>'type' = ANY($2::text[]) AND message->'data'->>$3 = $4
             FOR UPDATE`,
            [tenantId, types, subjectField, subjectId],
          );
          for (const { id, type, data } of rows) {
            const fields = registry.personalFieldsOf(type)?.fields ?? [];
            const redactedData = JSON.stringify(redact(data, fields));
            await client.query(`UPDATE inbox_failures SET message = jsonb_set(message, '{data}', $2::jsonb) WHERE id = $1`, [id, redactedData]);
            redacted++;
          }
        }
        const { rows: kept } = await client.query<{ id: string; text: string }>(
          `SELECT id, message #>> '{}' AS text FROM inbox_failures WHERE jsonb_typeof(message) = 'string' FOR UPDATE`,
        );
        for (const { id, text } of kept) {
          const body = redactedText(registry, JSON.parse(text) as Partial<RelayedEvent>, tenantId, subjectId);
          if (body === undefined) continue;
          await client.query(`UPDATE inbox_failures SET message = to_jsonb($2::text) WHERE id = $1`, [id, body]);
          redacted++;
        }
        return redacted;
      },
    };
  }

  /** A retried message failed again: it stays parked with the new error, until the next request. */
  async retryFailed(id: number, error: unknown): Promise<void> {
    await this.pool.query(
      `UPDATE inbox_failures SET attempts = attempts + 1, error = $2, last_failed_at = now(), retry_requested_at = NULL WHERE id = $1`,
      [id, errorText(error)],
    );
  }
}

const redact = (data: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> =>
  Object.fromEntries(Object.entries(data).map(([field, value]) => [field, fields.includes(field) ? REDACTED : value]));

/**
 * A body kept as text, the subject's fields redacted, as text again (JSON.stringify escapes a NUL
 * or half a surrogate pair, so it stays storable); undefined when it is not an event of the subject's.
 */
const redactedText = (registry: EventRegistry, event: Partial<RelayedEvent>, tenantId: string, subjectId: string) => {
  const personal = registry.personalFieldsOf(String(event.type));
  const data = event.data as Record<string, unknown> | null | undefined;
  if (!personal || event.stream?.tenantId !== tenantId || typeof data !== 'object') return undefined;
  if (data?.[personal.subject] !== subjectId) return undefined;
  return JSON.stringify({ ...event, data: redact(data, personal.fields) });
};
