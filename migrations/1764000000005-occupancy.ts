import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The occupancy read model (async): rooms reserved per practice per night, and the stays behind it. */
export class Occupancy1764000000005 implements MigrationInterface {
  name = 'Occupancy1764000000005';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE occupancy_stays (
        practice_id     text    NOT NULL,
        reservation_id  text    NOT NULL,
        check_in_date   date    NOT NULL,
        nights          integer NOT NULL,
        counted         boolean NOT NULL,
        PRIMARY KEY (practice_id, reservation_id)
      )`);
    await db.query(`
      CREATE TABLE occupancy_days (
        practice_id  text    NOT NULL,
        day          date    NOT NULL,
        -- No CHECK (reserved >= 0): INSERT … ON CONFLICT checks the proposed row (a -1 delta) before it merges.
        reserved     integer NOT NULL,
        PRIMARY KEY (practice_id, day)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE occupancy_days`);
    await db.query(`DROP TABLE occupancy_stays`);
  }
}
