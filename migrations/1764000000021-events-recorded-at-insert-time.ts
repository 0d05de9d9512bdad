import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An event's `recorded_at` is the time its row is written (`clock_timestamp()`), no longer the
 * start of its transaction (`now()`). A unit of work that opened its transaction before another
 * appended version n (a saga step, an inline projection that runs its own SQL) appended n + 1
 * with an earlier time than n's, and a stream read up to a time between the two returned n + 1
 * without n: no state the stream ever had. Version n + 1 is written only after n committed, so
 * a stream's times now follow its versions. Events stored before keep their times.
 */
export class EventsRecordedAtInsertTime1764000000021 implements MigrationInterface {
  name = 'EventsRecordedAtInsertTime1764000000021';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE events ALTER COLUMN recorded_at SET DEFAULT clock_timestamp()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE events ALTER COLUMN recorded_at SET DEFAULT now()`);
  }
}
