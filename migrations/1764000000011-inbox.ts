import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbox of in-app RabbitMQ consumers: one row per message a consumer has handled, written
 * in the transaction that handles it, so a redelivered message finds its row and is skipped.
 * Keyed by consumer and message id (the relayed event's id): two consumers of one event each
 * handle it once.
 */
export class Inbox1764000000011 implements MigrationInterface {
  name = 'Inbox1764000000011';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE inbox (
        consumer text NOT NULL,
        message_id text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, message_id)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE inbox`);
  }
}
