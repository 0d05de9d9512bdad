import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A business process's events, found by their correlation id within a tenant (the correlation
 * chain route), already in log order. Built CONCURRENTLY outside a transaction, so appends
 * go on while it is made.
 */
export class EventsCorrelationIndex1764000000014 implements MigrationInterface {
  name = 'EventsCorrelationIndex1764000000014';
  transaction = false;

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX CONCURRENTLY IF EXISTS events_correlation_idx`);
    await db.query(
      `CREATE INDEX CONCURRENTLY events_correlation_idx ON events (tenant_id, (metadata->>'correlationId'), transaction_id, position)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX CONCURRENTLY IF EXISTS events_correlation_idx`);
  }
}
