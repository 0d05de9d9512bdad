import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PostgresSubjectKeys } from '../../src/event-sourcing/personal-data/postgres-subject-keys.js';
import { expectError, sendJson } from '../support/http.js';
import { createPractice } from '../support/practices.js';
import { runCli } from '../support/processes.js';
import { day } from '../support/stays.js';
import { startAnotherProcess, startTestApp, type TestApp } from '../support/test-app.js';

const REDACTED = '[redacted]';
const ADA = { guestId: 'g-ada', guestName: 'Ada Lovelace', guestEmail: 'ada@example.org', guestPhone: '+44 20 7946 0958' };
// What none of the stored or redacted forms may show. Spaces and '@' appear in no key id, base64
// or timestamp, so a chance match in random text cannot fail the test.
const PLAINTEXT = /Ada Lovelace|ada@example\.org|20 7946/;
const GRACE = { guestId: 'g-grace', guestName: 'Grace Hopper', guestEmail: 'grace@example.org' };
const adaRedacted = { guestId: 'g-ada', guestName: REDACTED, guestEmail: REDACTED, guestPhone: REDACTED };

/**
 * Crypto-shredding through the app: a guest's name, e-mail and phone are stored sealed under
 * the guest's key; forgetting the guest deletes the key, and every way to read them shows them
 * redacted, while the events stay byte for byte as they were.
 */
describe('forgetting a guest (crypto-shredding)', () => {
  let app: TestApp;
  let practice: string;
  let otherPractice: string;
  let adaReservation: string;
  let graceReservation: string;

  const get = (path: string, userId = 'viewer') => sendJson(app.baseUrl, 'GET', `/v1/practices/${practice}${path}`, app.as(userId));
  const forget = (subjectId: string, userId = 'admin', practiceId = practice) =>
    sendJson(app.baseUrl, 'POST', `/v1/practices/${practiceId}/subjects/${subjectId}/forget`, app.as(userId));
  const book = async (guest: Record<string, string>, correlationId: string): Promise<string> => {
    const headers = { ...app.as('staff'), 'x-correlation-id': correlationId };
    const created = await sendJson(app.baseUrl, 'POST', `/v1/practices/${practice}/reservations`, headers, {
      ...guest,
      checkInDate: day(10),
      nights: 2,
    });
    expect(created.status).toBe(201);
    return created.body.reservationId as string;
  };
  const storedEvents = async () =>
    (
      await app.db.pool.query<{ event_id: string; row: string }>(
        `SELECT event_id, events::text AS row FROM events WHERE tenant_id = $1 ORDER BY position`,
        [practice],
      )
    ).rows;
  /** Every read of a guest's personal fields the API offers, for one reservation. */
  const personalFieldsSeen = async (reservationId: string, guestId: string) => {
    const [detail, list, history, atVersion, events, profile, exported] = await Promise.all([
      get(`/reservations/${reservationId}`),
      get(`/reservations?from=${day(0)}&to=${day(30)}`),
      get(`/reservations/${reservationId}/history`),
      get(`/reservations/${reservationId}?version=1`),
      sendJson(app.baseUrl, 'GET', `/v1/events/aggregate/${practice}/reservation/${reservationId}`, app.as('viewer')),
      get(`/guests/${guestId}`),
      get(`/subjects/${guestId}/export`, 'admin'),
    ]);
    const listed = (list.body.reservations as { reservationId: string; guestName: string }[]).find((r) => r.reservationId === reservationId);
    const fields = ({ guestId: id, guestName, guestEmail, guestPhone }: Record<string, unknown>) =>
      Object.fromEntries(Object.entries({ guestId: id, guestName, guestEmail, guestPhone }).filter(([, v]) => v !== undefined));
    return {
      detail: detail.body.guestName,
      list: listed?.guestName,
      history: fields((history.body.events as { data: Record<string, unknown> }[])[0].data),
      atVersion: atVersion.body.guestName,
      eventsApi: fields((events.body.events as { payload: Record<string, unknown> }[])[0].payload),
      profile: profile.body.guestName,
      exported: (exported.body.events as { aggregateId: string; payload: Record<string, unknown> }[])
        .filter((e) => e.aggregateId === reservationId)
        .map((e) => fields(e.payload)),
    };
  };

  beforeAll(async () => {
    app = await startTestApp();
    practice = await createPractice(app, 'owner', { admin: 'admin', staff: 'staff', viewer: 'viewer' });
    otherPractice = await createPractice(app, 'stranger');
    adaReservation = await book(ADA, 'booking-ada');
    graceReservation = await book(GRACE, 'booking-grace');
  });
  afterAll(() => app.close());

  it('stores the personal fields sealed, and shows them through every API while the guest is remembered', async () => {
    const [row] = (
      await app.db.pool.query<{ data: Record<string, unknown> }>(
        `SELECT data FROM events WHERE tenant_id = $1 AND aggregate_id = $2 AND type = 'reservation.created'`,
        [practice, adaReservation],
      )
    ).rows;
    expect(row.data).toMatchObject({
      guestId: 'g-ada',
      '~personal': { fields: ['guestName', 'guestEmail', 'guestPhone'], sealed: expect.stringMatching(/^pd:1:/) },
    });
    expect(Object.keys(row.data)).not.toEqual(expect.arrayContaining(['guestName']));
    expect(JSON.stringify(row.data)).not.toMatch(PLAINTEXT);

    expect(await personalFieldsSeen(adaReservation, 'g-ada')).toEqual({
      detail: ADA.guestName,
      list: ADA.guestName,
      history: ADA,
      atVersion: ADA.guestName,
      eventsApi: ADA,
      profile: ADA.guestName,
      exported: [ADA],
    });
  });

  it('lets only owners and admins forget, answers 404 for a subject never held and 400 for an id too long', async () => {
    expectError(await forget('g-ada', 'staff'), 403, 'ROLE_TOO_LOW');
    expectError(await forget('g-ada', 'viewer'), 403, 'ROLE_TOO_LOW');
    expectError(await forget('g-ada', 'stranger'), 403, 'NOT_A_MEMBER');
    expectError(await forget('g-ada', 'stranger', otherPractice), 404, 'SUBJECT_NOT_FOUND');
    expectError(await forget('g-nobody'), 404, 'SUBJECT_NOT_FOUND');
    expectError(await forget('x'.repeat(256)), 400, 'INVALID_SUBJECT_ID');
    expectError(await get('/subjects/g-ada/export', 'staff'), 403, 'ROLE_TOO_LOW');
    expectError(await get('/subjects/g-nobody/export', 'admin'), 404, 'SUBJECT_NOT_FOUND');
    expect((await get(`/reservations/${adaReservation}`)).body.guestName).toBe(ADA.guestName);
  });

  it('redacts them everywhere once forgotten, leaving the events byte for byte and the append-only trigger on', async () => {
    const before = await storedEvents();

    const forgotten = await forget('g-ada');

    expect(forgotten.status).toBe(200);
    expect(forgotten.body).toEqual({
      practiceId: practice,
      subjectId: 'g-ada',
      forgottenAt: expect.any(String),
      keysDeleted: 1,
      rowsRedacted: 1,
    });
    expect(await personalFieldsSeen(adaReservation, 'g-ada')).toEqual({
      detail: REDACTED,
      list: REDACTED,
      history: adaRedacted,
      atVersion: REDACTED,
      eventsApi: adaRedacted,
      profile: REDACTED,
      exported: [adaRedacted],
    });
    expect((await get(`/reservations/${graceReservation}`)).body.guestName).toBe(GRACE.guestName);
    expect(await storedEvents()).toEqual(before);
    const triggers = await app.db.pool.query<{ tgenabled: string }>(
      `SELECT tgenabled FROM pg_trigger WHERE tgrelid = 'events'::regclass AND NOT tgisinternal`,
    );
    expect(triggers.rows.length).toBeGreaterThan(0);
    expect(triggers.rows.every((t) => t.tgenabled === 'O')).toBe(true);
    await expect(app.db.pool.query(`UPDATE events SET data = '{}' WHERE tenant_id = $1`, [practice])).rejects.toThrow();
  });

  it('answers a second forgetting as the first, deleting nothing more', async () => {
    const first = (await app.db.pool.query(`SELECT forgotten_at FROM forgotten_subjects WHERE subject_id = 'g-ada'`)).rows[0];
    const again = await forget('g-ada', 'owner');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ keysDeleted: 0, forgottenAt: (first.forgotten_at as Date).toISOString() });
  });

  it('shows them redacted in the CLI, and the read models refold from the events to what forgetting left', async () => {
    const shown = await runCli(app.db.url, ['streams:show', 'reservation', adaReservation, '--tenant', practice]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(REDACTED);
    expect(shown.stdout).not.toMatch(PLAINTEXT);
    const checked = await runCli(app.db.url, ['check:consistency']);
    expect({ code: checked.code, stdout: checked.stdout }).toEqual({ code: 0, stdout: expect.stringContaining('consistent') });
  });

  it('makes a booking that races a forgetting wait for it, then seals it under a new key: row and events agree', async () => {
    const LIN = { guestId: 'g-lin', guestName: 'Lin Wei' };
    const first = await book(LIN, 'booking-lin');
    // The process now keeps Lin's key. A forgetting is under way, its key deletion not yet committed
    // (its transaction as SubjectForgetting runs it, held open here).
    const forgetting = await app.db.pool.connect();
    try {
      await forgetting.query('BEGIN');
      await app.app.get(PostgresSubjectKeys).forgetWithin(forgetting, practice, 'g-lin');
      await forgetting.query(`UPDATE reservations SET guest_name = $3 WHERE practice_id = $1 AND guest_id = $2`, [practice, 'g-lin', REDACTED]);

      const booking = book({ ...LIN, guestName: 'Lin Wei-Chen' }, 'booking-lin-2');
      const settled = await Promise.race([booking.then(() => 'booked'), new Promise((resolve) => setTimeout(resolve, 300, 'waiting'))]);
      expect(settled).toBe('waiting'); // it holds the key it sealed with: it waits for the forgetting
      await forgetting.query('COMMIT');
      const second = await booking;

      // Sealed again under a new key once the old one was found gone: written after the forgetting, readable.
      const seen = await personalFieldsSeen(second, 'g-lin');
      expect({ detail: seen.detail, history: seen.history, eventsApi: seen.eventsApi }).toEqual({
        detail: 'Lin Wei-Chen',
        history: { guestId: 'g-lin', guestName: 'Lin Wei-Chen' },
        eventsApi: { guestId: 'g-lin', guestName: 'Lin Wei-Chen' },
      });
      expect((await get(`/reservations/${first}/history`)).body.events[0].data.guestName).toBe(REDACTED);
    } finally {
      await forgetting.query('ROLLBACK').catch(() => undefined);
      forgetting.release();
    }
  });

  it('seals what comes after under a new key: readable, while what was forgotten stays redacted', async () => {
    const returning = await book({ guestId: 'g-ada', guestName: 'Ada King' }, 'booking-ada-2');
    expect((await get(`/reservations/${returning}`)).body.guestName).toBe('Ada King');
    expect((await get(`/reservations/${adaReservation}`)).body.guestName).toBe(REDACTED);
  });
});

/**
 * A process that does not hear forgettings (its LISTEN connection is down) cannot tell that a
 * guest was forgotten elsewhere: it must keep nothing it opened, or it would keep showing it.
 */
describe('a guest profile on a process that does not hear forgettings', () => {
  let first: TestApp;
  let second: NestFastifyApplication;
  let secondUrl: string;

  beforeAll(async () => {
    first = await startTestApp({ ROLE: 'web' });
    ({ app: second, baseUrl: secondUrl } = await startAnotherProcess(first));
  });
  afterAll(async () => {
    await second.close();
    await first.close();
  });

  it('reads redacted right after another process forgot the guest', async () => {
    const practice = await createPractice(first, 'olga', { stan: 'staff' });
    const created = await sendJson(first.baseUrl, 'POST', `/v1/practices/${practice}/reservations`, first.as('stan'), {
      ...ADA,
      checkInDate: day(10),
      nights: 2,
    });
    expect(created.status).toBe(201);
    // Its LISTEN is gone (stopped here for good, as a dropped connection is until it is back).
    await second.get(PostgresSubjectKeys).stop();
    const profileOnSecond = async () =>
      (await sendJson(secondUrl, 'GET', `/v1/practices/${practice}/guests/g-ada`, first.as('olga'))).body.guestName;
    expect(await profileOnSecond()).toBe(ADA.guestName);

    const forgot = await sendJson(first.baseUrl, 'POST', `/v1/practices/${practice}/subjects/g-ada/forget`, first.as('olga'));
    expect(forgot.status).toBeLessThan(300);

    expect(await profileOnSecond()).toBe(REDACTED);
  });
});
