import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { expectError, sendJson } from '../support/http.js';
import { createPractice } from '../support/practices.js';
import { startAnotherProcess, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Two web processes on one database, each remembering the aggregates it wrote. A command sent
 * to one after the other moved the aggregate on must answer exactly as if nothing were
 * remembered: the state it remembers is only ever a guess that the append checks.
 */
const OWNER = 'olivia';
const STAFF = 'sam';
const day = (n: number): string => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

describe('Two processes writing the same reservations', () => {
  let first: TestApp;
  let second: NestFastifyApplication;
  let secondUrl: string;
  let practice: string;

  /** The same request, sent to the first or the second process. */
  const via = (which: 'first' | 'second') => (method: string, path: string, userId: string, body?: unknown, headers: Record<string, string> = {}) =>
    sendJson(which === 'first' ? first.baseUrl : secondUrl, method, path, { ...first.as(userId), ...headers }, body);
  const [one, two] = [via('first'), via('second')];
  const reservations = (rest = '') => `/v1/practices/${practice}/reservations${rest}`;
  const book = async (): Promise<string> => {
    const created = await one('POST', reservations(), STAFF, { guestId: 'g-1', guestName: 'Ada Lovelace', checkInDate: day(10), nights: 2 });
    expect(created.status).toBe(201);
    return created.body.reservationId as string;
  };

  beforeAll(async () => {
    first = await startTestApp({ ROLE: 'web' });
    ({ app: second, baseUrl: secondUrl } = await startAnotherProcess(first));
    practice = await createPractice(first, OWNER, { [STAFF]: 'staff' });
  });
  afterAll(async () => {
    await second.close();
    await first.close();
  });

  it('allows a command the other process’s write made possible, where the remembered state would refuse it', async () => {
    const id = await book();
    expect((await two('POST', reservations(`/${id}/confirm`), STAFF)).status).toBe(200);

    // The first process remembers the reservation as pending, where check-in is refused.
    const checkedIn = await one('POST', reservations(`/${id}/check-in`), STAFF);

    expect(checkedIn.status).toBe(200);
    expect(checkedIn.body).toMatchObject({ status: 'checked_in', version: 3 });
    expect((await two('GET', reservations(`/${id}`), STAFF)).body).toMatchObject({ status: 'checked_in', version: 3 });
  });

  it('refuses a command the other process’s write made impossible, where the remembered state would allow it', async () => {
    const id = await book();
    expect((await two('POST', reservations(`/${id}/cancel`), STAFF, { reason: 'guest called' })).status).toBe(200);

    expectError(await one('POST', reservations(`/${id}/confirm`), STAFF), 409, 'RESERVATION_CLOSED');
    expect((await one('GET', reservations(`/${id}/history`), STAFF)).body.events).toHaveLength(2);
  });

  it('takes an If-Match that names the version the other process wrote, and refuses the one it remembers', async () => {
    const id = await book();
    const changed = await two('POST', reservations(`/${id}/change`), STAFF, { checkInDate: day(20), nights: 3 });
    expect(changed.etag).toBe('"2"');

    expectError(await one('POST', reservations(`/${id}/confirm`), STAFF, undefined, { 'if-match': '"1"' }), 409, 'CONCURRENCY_CONFLICT');
    const confirmed = await one('POST', reservations(`/${id}/confirm`), STAFF, undefined, { 'if-match': '"2"' });
    expect({ status: confirmed.status, etag: confirmed.etag }).toEqual({ status: 200, etag: '"3"' });
  });

  it('refuses a member demoted through the other process at once: roles are never remembered', async () => {
    const id = await book();
    const demoted = await two('PATCH', `/v1/practices/${practice}/memberships/${STAFF}`, OWNER, { role: 'viewer' });
    expect(demoted.status).toBe(200);

    expectError(await one('POST', reservations(`/${id}/confirm`), STAFF), 403, 'ROLE_TOO_LOW');
    expect((await one('GET', reservations(`/${id}`), STAFF)).body).toMatchObject({ status: 'pending', version: 1 });
  });
});
