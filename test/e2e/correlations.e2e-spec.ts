import { expectError, sendJson } from '../support/http.js';
import { createPractice } from '../support/practices.js';
import { stay } from '../support/stays.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** One business process of a practice over HTTP: its commands' events in causal order, with actors, and no other tenant's. */
describe('correlation chains over HTTP', () => {
  let app: TestApp;
  let practice: string;
  let otherPractice: string;

  const correlated = (correlationId: string) => ({ 'x-correlation-id': correlationId });
  const chainOf = (practiceId: string, correlationId: string, userId = 'viewer') =>
    sendJson(app.baseUrl, 'GET', `/v1/practices/${practiceId}/correlations/${correlationId}`, app.as(userId));

  beforeAll(async () => {
    app = await startTestApp();
    practice = await createPractice(app, 'owner', { staff: 'staff', viewer: 'viewer' });
    otherPractice = await createPractice(app, 'stranger');
  });
  afterAll(() => app.close());

  it("returns each command's events in order, each caused by its own command, with its actor", async () => {
    const path = `/v1/practices/${practice}/reservations`;
    const created = await sendJson(app.baseUrl, 'POST', path, { ...app.as('owner'), ...correlated('booking-7') }, stay());
    const id = created.body.reservationId as string;
    await sendJson(app.baseUrl, 'POST', `${path}/${id}/confirm`, { ...app.as('staff'), ...correlated('booking-7') });
    await sendJson(app.baseUrl, 'POST', `${path}/${id}/cancel`, app.as('owner'), { reason: 'another process' });

    const reply = await chainOf(practice, 'booking-7');

    expect(reply.status).toBe(200);
    const chain = reply.body.chain as { kind: string; type: string; actor: unknown; commandId: string; causationId: string }[];
    expect(chain.map(({ kind, type, actor }) => ({ kind, type, actor }))).toEqual([
      { kind: 'event', type: 'reservation.created', actor: { type: 'human', id: 'owner' } },
      { kind: 'event', type: 'reservation.confirmed', actor: { type: 'human', id: 'staff' } },
    ]);
    expect(chain.map((link) => link.causationId)).toEqual(chain.map((link) => link.commandId));
    expect(new Set(chain.map((link) => link.commandId)).size).toBe(2);
    expect(reply.body.truncated).toBe(false);
  });

  it("answers 404 CORRELATION_NOT_FOUND for another practice's process, and for none", async () => {
    await sendJson(app.baseUrl, 'POST', `/v1/practices/${practice}/reservations`, { ...app.as('owner'), ...correlated('private-1') }, stay());

    expectError(await chainOf(otherPractice, 'private-1', 'stranger'), 404, 'CORRELATION_NOT_FOUND');
    expectError(await chainOf(practice, 'never-used'), 404, 'CORRELATION_NOT_FOUND');
    expectError(await chainOf(practice, 'private-1', 'stranger'), 403, 'NOT_A_MEMBER');
  });
});
