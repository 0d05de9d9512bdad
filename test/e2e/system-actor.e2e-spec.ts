import { expectErrorCode, sendJson } from '../support/http.js';
import { createPractice } from '../support/practices.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Acting as `system` over HTTP: only operators (OPERATOR_USER_IDS) may claim it, and even
 * they get no role they do not have in a practice. In-process automation is the only
 * system actor a decider trusts (see the practice decider's spec).
 */

const OPERATOR = 'ops-1';

const practiceEvent = (practiceId: string, eventType: string, payload: object, actorType?: string) => ({
  practiceId,
  aggregateType: 'practice',
  aggregateId: practiceId,
  eventType,
  payload,
  ...(actorType ? { actorType } : {}),
});

describe('the system actor over HTTP', () => {
  let app: TestApp;
  const send = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
    sendJson(app.baseUrl, method, path, headers, body);
  const practiceOf = async (practiceId: string) => (await send('GET', `/v1/practices/${practiceId}`, app.as('alice'))).body;
  const rolesOf = async (practiceId: string) =>
    Object.fromEntries(
      ((await send('GET', `/v1/practices/${practiceId}/memberships`, app.as('alice'))).body.members as { userId: string; role: string }[]).map(
        (m) => [m.userId, m.role],
      ),
    );

  beforeAll(async () => {
    app = await startTestApp({ OPERATOR_USER_IDS: OPERATOR });
  });
  afterAll(() => app.close());

  describe('when a staff member claims it in a token', () => {
    it('answers 403 SYSTEM_ACTOR_NOT_ALLOWED to a rename, a self-promotion to owner and the admin API; nothing changes', async () => {
      const practiceId = await createPractice(app, 'alice', { sam: 'staff' });
      const asSystem = app.as('sam', 'system');

      expectErrorCode(await send('PATCH', `/v1/practices/${practiceId}`, asSystem, { name: 'Taken over' }), 403, 'SYSTEM_ACTOR_NOT_ALLOWED');
      for (const event of [
        practiceEvent(practiceId, 'practice.updated', { name: 'Taken over' }, 'system'),
        practiceEvent(practiceId, 'membership.role_changed', { userId: 'sam', role: 'owner', previousRole: 'staff' }, 'system'),
      ]) {
        expectErrorCode(await send('POST', '/v1/events/append', asSystem, event), 403, 'SYSTEM_ACTOR_NOT_ALLOWED');
      }
      expectErrorCode(await send('GET', '/v1/admin/projections', asSystem), 403, 'SYSTEM_ACTOR_NOT_ALLOWED');

      expect(await practiceOf(practiceId)).toMatchObject({ name: 'Harbour Dental', version: 3 });
      expect(await rolesOf(practiceId)).toEqual({ alice: 'owner', sam: 'staff' });
    });
  });

  describe('when an operator who is staff in a practice acts as the system', () => {
    it('gets only the staff role there: renaming and granting owner answer 403 ROLE_TOO_LOW', async () => {
      const practiceId = await createPractice(app, 'alice', { [OPERATOR]: 'staff' });
      const asSystem = app.as(OPERATOR, 'system');

      expectErrorCode(await send('PATCH', `/v1/practices/${practiceId}`, asSystem, { name: 'Taken over' }), 403, 'ROLE_TOO_LOW');
      const promotion = practiceEvent(practiceId, 'membership.role_changed', { userId: OPERATOR, role: 'owner', previousRole: 'staff' }, 'system');
      expectErrorCode(await send('POST', '/v1/events/append', asSystem, promotion), 403, 'ROLE_TOO_LOW');

      expect(await practiceOf(practiceId)).toMatchObject({ name: 'Harbour Dental', version: 3 });
      expect(await rolesOf(practiceId)).toEqual({ alice: 'owner', [OPERATOR]: 'staff' });
    });

    it('still reaches the admin API', async () => {
      expect((await send('GET', '/v1/admin/projections', app.as(OPERATOR, 'system'))).status).toBe(200);
    });
  });

  describe('renaming a practice', () => {
    it('needs the admin role, as the README says: staff get 403 ROLE_TOO_LOW, admins rename', async () => {
      const practiceId = await createPractice(app, 'alice', { sam: 'staff', ada: 'admin' });

      const refused = await send('PATCH', `/v1/practices/${practiceId}`, app.as('sam'), { name: 'By staff' });
      expectErrorCode(refused, 403, 'ROLE_TOO_LOW');
      expect(refused.body.error.message).toContain('needs the admin role');

      expect((await send('PATCH', `/v1/practices/${practiceId}`, app.as('ada'), { name: 'By an admin' })).status).toBe(200);
    });
  });
});

describe('the system actor behind a trusted gateway (AUTH_MODE=trusted-header)', () => {
  let gateway: TestApp;
  const headers = (userId: string, actorType: string) => ({ 'content-type': 'application/json', 'x-user-id': userId, 'x-actor-type': actorType });

  beforeAll(async () => {
    gateway = await startTestApp({ AUTH_MODE: 'trusted-header', OPERATOR_USER_IDS: OPERATOR });
  });
  afterAll(() => gateway.close());

  it('answers 403 SYSTEM_ACTOR_NOT_ALLOWED to x-actor-type: system from a user who is no operator', async () => {
    const created = await sendJson(gateway.baseUrl, 'POST', '/v1/practices', headers('alice', 'human'), { name: 'Harbour Dental' });
    const practiceId = created.body.practiceId as string;
    await sendJson(gateway.baseUrl, 'POST', `/v1/practices/${practiceId}/memberships`, headers('alice', 'human'), { userId: 'sam', role: 'staff' });

    const reply = await sendJson(gateway.baseUrl, 'PATCH', `/v1/practices/${practiceId}`, headers('sam', 'system'), { name: 'Taken over' });

    expectErrorCode(reply, 403, 'SYSTEM_ACTOR_NOT_ALLOWED');
    const practice = await sendJson(gateway.baseUrl, 'GET', `/v1/practices/${practiceId}`, headers('alice', 'human'));
    expect(practice.body).toMatchObject({ name: 'Harbour Dental' });
  });
});
