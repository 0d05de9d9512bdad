import { epochMsSql } from '../../src/event-sourcing/store/recorded-event.mapper.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Reads of the log take event times as epoch milliseconds computed in PostgreSQL: they must be
 * the microsecond times floored to the millisecond, exactly as pg's own parser truncates them,
 * for times on a whole millisecond, a microsecond short of one, and far from 1970 either way.
 */
describe('event times as epoch milliseconds (epochMsSql)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(1);
  });
  afterAll(() => db.drop());

  it('floors each time to its millisecond exactly', async () => {
    const times = [
      '2026-03-04T05:06:07.000000Z',
      '2026-03-04T05:06:07.001000Z',
      '2026-03-04T05:06:07.123000Z',
      '2026-03-04T05:06:07.123999Z',
      '2026-03-04T05:06:07.999999Z',
      '2038-01-19T03:14:08.000000Z',
      '2199-12-31T23:59:59.999000Z',
      '2199-12-31T23:59:59.998999Z',
      '9999-12-31T23:59:59.999999Z',
      '1970-01-01T00:00:00.000000Z',
      '1969-12-31T23:59:59.999500Z',
      '1901-06-15T12:00:00.000001Z',
    ];
    // Also as a session far from UTC sees them: the truncation must not depend on the time zone.
    for (const zone of ['UTC', 'Asia/Kathmandu']) {
      const { rows } = await db.pool.query<{ ms: number; exact: string }>(
        `SELECT set_config('TimeZone', $2, false) AS zone, ${epochMsSql('t')} AS ms, floor(extract(epoch FROM t) * 1000)::bigint::text AS exact
         FROM unnest($1::timestamptz[]) WITH ORDINALITY AS given (t, n) ORDER BY n`,
        [times, zone],
      );
      const floored = times.map((time) => {
        const [whole, fraction] = time.slice(0, -1).split('.');
        return String(Date.parse(`${whole}.${fraction.slice(0, 3)}Z`));
      });
      // As pg hands them over: a number, the same as the exact count.
      expect(rows.map((row) => row.ms)).toEqual(floored.map(Number));
      expect(rows.map((row) => row.exact)).toEqual(floored);
    }
  });
});
