import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Messages an inbox consumer failed to handle: a row per consumer and message, with its
 * attempts and last error, deleted in the transaction that handles the message at last. Once
 * the attempts reach the consumer's limit the message is parked (`parked_at`): taken off its
 * queue, so the messages behind it go on, and kept here whole, so an operator can have it
 * handled again (`retry_requested_at`) once the cause is fixed.
 */
export class InboxFailures1764000000016 implements MigrationInterface {
  name = 'InboxFailures1764000000016';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE inbox_failures (
        id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        consumer            text        NOT NULL,
        message_id          text        NOT NULL,
        routing_key         text        NOT NULL,
        message             jsonb       NOT NULL,
        error               text        NOT NULL,
        attempts            integer     NOT NULL,
        first_failed_at     timestamptz NOT NULL DEFAULT now(),
        last_failed_at      timestamptz NOT NULL DEFAULT now(),
        parked_at           timestamptz,
        retry_requested_at  timestamptz,
        UNIQUE (consumer, message_id)
      )`);
    await db.query(`CREATE INDEX inbox_failures_retry_idx ON inbox_failures (retry_requested_at) WHERE retry_requested_at IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE inbox_failures`);
  }
}
