import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What saga runtimes keep beside their instances' streams: each instance's latest state and
 * status (the operators' list; the stream stays the record), the commands a step decided, sent
 * after the step commits (an outbox: each row once sent, re-sent with the same command id if
 * a sender died half-way), and the deadlines instances are waiting on.
 */
export class Sagas1764000000012 implements MigrationInterface {
  name = 'Sagas1764000000012';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE saga_instances (
        saga            text        NOT NULL,
        tenant_id       text        NOT NULL,
        instance_key    text        NOT NULL,
        state           jsonb       NOT NULL,
        done            boolean     NOT NULL,
        version         integer     NOT NULL,
        correlation_id  text        NOT NULL,
        started_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL,
        PRIMARY KEY (saga, tenant_id, instance_key)
      )`);
    await db.query(`CREATE INDEX saga_instances_listing_idx ON saga_instances (done, saga, updated_at)`);
    await db.query(`
      CREATE TABLE saga_commands (
        command_id      uuid        PRIMARY KEY,
        saga            text        NOT NULL,
        tenant_id       text        NOT NULL,
        instance_key    text        NOT NULL,
        aggregate_type  text        NOT NULL,
        type            text        NOT NULL,
        data            jsonb       NOT NULL,
        correlation_id  text        NOT NULL,
        causation_id    text        NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
        claimed_until   timestamptz,
        sent_at         timestamptz,
        outcome         text        CHECK (outcome IN ('applied', 'refused')),
        error           jsonb
      )`);
    await db.query(`CREATE INDEX saga_commands_unsent_idx ON saga_commands (created_at) WHERE sent_at IS NULL`);
    await db.query(`
      CREATE TABLE saga_deadlines (
        saga            text        NOT NULL,
        tenant_id       text        NOT NULL,
        instance_key    text        NOT NULL,
        name            text        NOT NULL,
        due_at          timestamptz NOT NULL,
        deadline_id     uuid        NOT NULL,
        correlation_id  text        NOT NULL,
        PRIMARY KEY (saga, tenant_id, instance_key, name)
      )`);
    await db.query(`CREATE INDEX saga_deadlines_due_idx ON saga_deadlines (due_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE saga_deadlines`);
    await db.query(`DROP TABLE saga_commands`);
    await db.query(`DROP TABLE saga_instances`);
  }
}
