import { setTimeout as sleep } from 'node:timers/promises';
import { expectErrorCode, sendJson, type Reply as FullReply } from '../support/http.js';

type Reply = Pick<FullReply, 'status' | 'body'>;
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createPractice } from '../support/practices.js';

/**
 * Occupancy per night over real HTTP. The read model is async (kept by the in-process
 * projection worker), so each check polls until the counts appear, for up to ~20 s.
 */


interface Day {
  readonly date: string;
  readonly reserved: number;
}

const OWNER = 'olga';
const STAFF = 'stan';
const VIEWER = 'viv';
const STRANGER = 'nils';
const OTHER_OWNER = 'otto';

const DAY_MS = 86_400_000;
/** A calendar day `n` days from today (UTC), as the server's clock sees it. */
const day = (n: number): string => new Date(Date.now() + n * DAY_MS).toISOString().slice(0, 10);
/** The calendar day `n` days after `date`. */
const plus = (date: string, n: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
/** Every day from `from` to `to`, inclusive. */
const range = (from: string, to: string): string[] => {
  const days: string[] = [];
  for (let d = from; d <= to; d = plus(d, 1)) days.push(d);
  return days;
};
const NEXT_YEAR = new Date().getUTCFullYear() + 1;

describe('Occupancy per night over HTTP', () => {
  let app: TestApp;
  let practice: string;
  let otherPractice: string;

  // Only status and body: the specs compare whole replies.
  const call = async (method: string, path: string, userId: string | null, body?: unknown): Promise<Reply> => {
    const { status, body: json } = await sendJson(app.baseUrl, method, path, userId ? app.as(userId) : null, body);
    return { status, body: json };
  };
  const expectError = expectErrorCode;

  const occupancy = (from: string, to: string, userId: string | null = VIEWER, practiceId = practice) =>
    call('GET', `/v1/practices/${practiceId}/occupancy?from=${from}&to=${to}`, userId);

  /** The counts the range should show: every day listed, 0 unless `reserved` says otherwise. */
  const expected = (from: string, to: string, reserved: Record<string, number>): Day[] =>
    range(from, to).map((date) => ({ date, reserved: reserved[date] ?? 0 }));

  /** Waits (up to ~20 s) until every partition of the occupancy projection has passed the newest event. */
  const caughtUp = async (): Promise<void> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { rows } = await app.db.pool.query<{ behind: number }>(
        `SELECT count(*)::int AS behind FROM projection_checkpoints c
         WHERE c.projection = 'occupancy'
           AND (c.transaction_id, c.position) < (SELECT transaction_id, position FROM events ORDER BY transaction_id DESC, position DESC LIMIT 1)`,
      );
      if (rows[0].behind === 0) return;
      if (Date.now() > deadline) throw new Error(`occupancy is still ${rows[0].behind} partition(s) behind after 20 s`);
      await sleep(25);
    }
  };

  /**
   * Polls until occupancy of [from, to] shows `reserved` (and 0 on every other day), for up
   * to ~20 s; then, once the projection has passed every event, asserts it exactly: a count
   * that appears and then overshoots (an event applied twice) fails too.
   */
  const eventually = async (from: string, to: string, reserved: Record<string, number>, practiceId = practice): Promise<void> => {
    const reader = practiceId === practice ? VIEWER : OTHER_OWNER;
    const want = expected(from, to, reserved);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const reply = await occupancy(from, to, reader, practiceId);
      if (reply.status === 200 && JSON.stringify(reply.body.days) === JSON.stringify(want)) break;
      if (Date.now() > deadline) break;
      await sleep(50);
    }
    await caughtUp();
    expect(await occupancy(from, to, reader, practiceId)).toEqual({ status: 200, body: { from, to, days: want } });
  };

  const book = async (checkInDate: string, nights: number, practiceId = practice, userId = STAFF): Promise<string> => {
    const reply = await call('POST', `/v1/practices/${practiceId}/reservations`, userId, { guestId: 'g-1', guestName: 'Grace Hopper', checkInDate, nights });
    expect(reply.status).toBe(201);
    return reply.body.reservationId as string;
  };

  const send = async (id: string, command: string, body?: unknown): Promise<void> => {
    const reply = await call('POST', `/v1/practices/${practice}/reservations/${id}/${command}`, STAFF, body);
    expect({ command, status: reply.status }).toEqual({ command, status: 200 });
  };

  const newPractice = (owner: string, members: Record<string, string> = {}) => createPractice(app, owner, members);

  beforeAll(async () => {
    app = await startTestApp();
    practice = await newPractice(OWNER, { [STAFF]: 'staff', [VIEWER]: 'viewer' });
    otherPractice = await newPractice(OTHER_OWNER);
  });
  afterAll(() => app.close());

  describe('reading a range', () => {
    it('lists every day of the range, in order, with 0 where nothing is reserved', async () => {
      const reply = await occupancy(day(200), day(209));

      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ from: day(200), to: day(209), days: expected(day(200), day(209), {}) });
      expect(reply.body.days).toHaveLength(10);
    });

    it('lists the one day of a range that starts and ends on it', async () => {
      expect((await occupancy(day(3), day(3))).body).toEqual({ from: day(3), to: day(3), days: [{ date: day(3), reserved: 0 }] });
    });

    it('accepts the longest range, 366 days, across a leap day', async () => {
      const from = `${NEXT_YEAR + (4 - (NEXT_YEAR % 4)) % 4}-01-01`; // a leap year's first day
      const to = plus(from, 365);

      const reply = await occupancy(from, to);

      expect(reply.status).toBe(200);
      expect(reply.body.days).toHaveLength(366);
      expect(reply.body.days.map((d: Day) => d.date)).toContain(`${from.slice(0, 4)}-02-29`);
      expect(reply.body.days.at(-1)).toEqual({ date: to, reserved: 0 });
    });
  });

  describe('as reservations come and go', () => {
    it('counts a new reservation on each of its nights (not on the check-out day), and overlapping stays add up', async () => {
      const [from, to] = [day(30), day(40)];
      await book(day(31), 3);
      await book(day(32), 4);

      await eventually(from, to, { [day(31)]: 1, [day(32)]: 2, [day(33)]: 2, [day(34)]: 1, [day(35)]: 1 });
    });

    it('counts a reservation once: the counts stay put after they appear', async () => {
      const [from, to] = [day(45), day(48)];
      await book(day(46), 2);
      await eventually(from, to, { [day(46)]: 1, [day(47)]: 1 });

      await sleep(300);
      await book(day(120), 1); // more events through the worker, elsewhere in time
      await caughtUp();

      expect((await occupancy(from, to)).body.days).toEqual(expected(from, to, { [day(46)]: 1, [day(47)]: 1 }));
    });

    it('moves the nights when a reservation changes', async () => {
      const [from, to] = [day(50), day(62)];
      const id = await book(day(51), 3);
      await eventually(from, to, { [day(51)]: 1, [day(52)]: 1, [day(53)]: 1 });

      await send(id, 'change', { checkInDate: day(53), nights: 4 });
      await eventually(from, to, { [day(53)]: 1, [day(54)]: 1, [day(55)]: 1, [day(56)]: 1 });

      await send(id, 'change', { checkInDate: day(60), nights: 1 });
      await eventually(from, to, { [day(60)]: 1 });
    });

    it('removes the nights when a reservation is cancelled, and only its own', async () => {
      const [from, to] = [day(70), day(75)];
      const cancelled = await book(day(71), 2);
      await book(day(72), 2);
      await eventually(from, to, { [day(71)]: 1, [day(72)]: 2, [day(73)]: 1 });

      await send(cancelled, 'cancel', { reason: 'storm' });

      await eventually(from, to, { [day(72)]: 1, [day(73)]: 1 });
    });

    it('removes the changed nights of a cancelled reservation, not the ones it was created with', async () => {
      const [from, to] = [day(80), day(90)];
      const id = await book(day(81), 2);
      await send(id, 'change', { checkInDate: day(85), nights: 3 });
      await send(id, 'cancel', { reason: 'storm' });

      await eventually(from, to, {}); // asserted once the worker has passed the cancellation
      await book(day(81), 1);
      await eventually(from, to, { [day(81)]: 1 });
    });

    it('changes nothing on confirmation, check-in and completion: a completed stay still counts', async () => {
      const [from, to] = [day(-1), day(3)];
      const id = await book(day(0), 2);
      await eventually(from, to, { [day(0)]: 1, [day(1)]: 1 });

      for (const command of ['confirm', 'check-in', 'complete']) await send(id, command);

      await eventually(from, to, { [day(0)]: 1, [day(1)]: 1 }); // asserted once the worker has passed the completion
    });

    it('counts calendar nights across the end of a month and of a year', async () => {
      const from = `${NEXT_YEAR}-12-29`;
      const to = `${NEXT_YEAR + 1}-01-03`;
      await book(`${NEXT_YEAR}-12-30`, 4);
      await book(`${NEXT_YEAR}-12-31`, 1);

      await eventually(from, to, {
        [`${NEXT_YEAR}-12-30`]: 1,
        [`${NEXT_YEAR}-12-31`]: 2,
        [`${NEXT_YEAR + 1}-01-01`]: 1,
        [`${NEXT_YEAR + 1}-01-02`]: 1,
      });
    });

    it('keeps practices apart: another practice\'s stays never show', async () => {
      const [from, to] = [day(100), day(102)];
      await book(day(100), 2, otherPractice, OTHER_OWNER);
      await book(day(101), 1);

      await eventually(from, to, { [day(100)]: 1, [day(101)]: 1 }, otherPractice);
      await eventually(from, to, { [day(101)]: 1 });
    });
  });

  describe('validation', () => {
    it.each([
      ['a day not in the calendar', '?from=2031-02-30&to=2031-03-02'],
      ['a month 13', '?from=2031-01-01&to=2031-13-01'],
      ['a day without leading zeros', '?from=2031-3-1&to=2031-03-05'],
      ['a word', '?from=tomorrow&to=2031-03-05'],
      ['a date and time', '?from=2031-03-01T00:00:00Z&to=2031-03-05'],
      ['no from', '?to=2031-03-05'],
      ['no to', '?from=2031-03-01'],
      ['nothing', ''],
      ['an unknown parameter', '?from=2031-03-01&to=2031-03-05&colour=red'],
    ])('answers 400 VALIDATION_FAILED to %s', async (_, query) => {
      expectError(await call('GET', `/v1/practices/${practice}/occupancy${query}`, VIEWER), 400, 'VALIDATION_FAILED');
    });

    it.each([
      ['from after to', '2031-03-05', '2031-03-04'],
      ['a range of 367 days', '2031-01-01', '2032-01-02'],
      ['a range of ten years', '2030-01-01', '2039-12-31'],
    ])('answers 400 INVALID_RANGE to %s', async (_, from, to) => {
      expectError(await occupancy(from, to), 400, 'INVALID_RANGE');
    });
  });

  describe('who may read it', () => {
    it('lets every member read, the viewer included', async () => {
      for (const userId of [OWNER, STAFF, VIEWER]) {
        const reply = await occupancy(day(10), day(11), userId);
        expect({ userId, status: reply.status }).toEqual({ userId, status: 200 });
      }
    });

    it('answers 403 NOT_A_MEMBER to a stranger, and to a member of another practice', async () => {
      expectError(await occupancy(day(10), day(11), STRANGER), 403, 'NOT_A_MEMBER');
      expectError(await occupancy(day(10), day(11), OTHER_OWNER), 403, 'NOT_A_MEMBER');
      expectError(await occupancy(day(10), day(11), OWNER, otherPractice), 403, 'NOT_A_MEMBER');
    });

    it('answers 401 without a token', async () => {
      expect((await occupancy(day(10), day(11), null)).status).toBe(401);
    });
  });
});
