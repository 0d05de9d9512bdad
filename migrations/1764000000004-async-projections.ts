import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Async projections: a checkpoint per projection and partition (moved in the same
 * transaction as the read-model writes), a control row per projection (kill switch,
 * status), dead letters, and the live workers. (Workers are woken by a NOTIFY the
 * appending process sends after commit, not by a trigger: a NOTIFY inside the append's
 * transaction takes a database-wide lock at commit and halved append throughput.)
 */
export class AsyncProjections1764000000004 implements MigrationInterface {
  name = 'AsyncProjections1764000000004';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE projection_checkpoints (
        projection      text        NOT NULL,
        partition       integer     NOT NULL,
        transaction_id  xid8        NOT NULL DEFAULT '0',
        position        bigint      NOT NULL DEFAULT 0,
        events_applied  bigint      NOT NULL DEFAULT 0,
        owner           text,
        updated_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (projection, partition)
      )`);
    await db.query(`
      CREATE TABLE projection_controls (
        projection   text        PRIMARY KEY,
        paused       boolean     NOT NULL DEFAULT false,
        status       text        NOT NULL DEFAULT 'running',
        last_error   text,
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE projection_dead_letters (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        projection      text        NOT NULL,
        partition       integer     NOT NULL,
        event_id        uuid        NOT NULL,
        position        bigint      NOT NULL,
        transaction_id  xid8        NOT NULL,
        stream          text        NOT NULL,
        event_type      text        NOT NULL,
        error           text        NOT NULL,
        stack           text,
        attempts        integer     NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        retried_at      timestamptz,
        UNIQUE (projection, event_id)
      )`);
    // Reactor jobs: enqueued in the transaction of the projection they follow, run after their
    // due time; the unique key de-duplicates (a second job with the same key is dropped).
    await db.query(`
      CREATE TABLE reactor_jobs (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        reactor       text        NOT NULL,
        dedup_key     text        NOT NULL,
        event_id      uuid        NOT NULL,
        due_at        timestamptz NOT NULL,
        attempts      integer     NOT NULL DEFAULT 0,
        done_at       timestamptz,
        failed_at     timestamptz,
        last_error    text,
        created_at    timestamptz NOT NULL DEFAULT now(),
        UNIQUE (reactor, dedup_key)
      )`);
    await db.query(`CREATE INDEX reactor_jobs_due_idx ON reactor_jobs (reactor, due_at) WHERE done_at IS NULL AND failed_at IS NULL`);
    // Live workers, for a fair share of partitions each; a row older than a few seconds is a dead worker.
    await db.query(`
      CREATE TABLE projection_workers (
        worker_id     text        PRIMARY KEY,
        started_at    timestamptz NOT NULL DEFAULT now(),
        heartbeat_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE reactor_jobs`);
    await db.query(`DROP TABLE projection_workers`);
    await db.query(`DROP TABLE projection_dead_letters`);
    await db.query(`DROP TABLE projection_controls`);
    await db.query(`DROP TABLE projection_checkpoints`);
  }
}
