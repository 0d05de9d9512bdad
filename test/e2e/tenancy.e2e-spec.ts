import { randomUUID } from 'node:crypto';
import { expectError, sendJson, type Reply } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createPractice } from '../support/practices.js';

/** Practices and memberships over real HTTP: who may do what, with ETags and If-Match. */


interface Call {
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

type Role = 'owner' | 'admin' | 'staff' | 'viewer';

describe('Tenancy over HTTP', () => {
  let app: TestApp;

  const call = (method: string, path: string, userId: string, { body, headers = {} }: Call = {}): Promise<Reply> =>
    sendJson(app.baseUrl, method, path, { ...app.as(userId), ...headers }, body);

  /** A fresh practice owned by `owner`, with the other members already added. */
  const practiceWith = (owner: string, members: Record<string, Role> = {}) => createPractice(app, owner, members);

  const membersOf = async (practiceId: string, viewer: string): Promise<Record<string, Role>> => {
    const reply = await call('GET', `/v1/practices/${practiceId}/memberships`, viewer);
    expect(reply.status).toBe(200);
    return Object.fromEntries((reply.body.members as { userId: string; role: Role }[]).map((m) => [m.userId, m.role]));
  };

  const eventTypesOf = async (practiceId: string, reader: string): Promise<string[]> => {
    const reply = await call('GET', `/v1/events/aggregate/${practiceId}/practice/${practiceId}`, reader);
    expect(reply.status).toBe(200);
    return (reply.body.events as { eventType: string }[]).map((e) => e.eventType);
  };

  beforeAll(async () => {
    app = await startTestApp({ OPERATOR_USER_IDS: 'ops' });
  });
  afterAll(() => app.close());

  describe('when someone creates a practice', () => {
    it('answers 201 with the id, name, version and ETag, and makes the creator its only member, as owner', async () => {
      const created = await call('POST', '/v1/practices', 'alice', { body: { name: 'Harbour Dental' } });

      expect(created.status).toBe(201);
      expect(created.body).toEqual({ practiceId: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'Harbour Dental', version: 2 });
      expect(created.etag).toBe('"2"');
      expect(created.headers.get('location')).toBe(`/v1/practices/${created.body.practiceId}`);
      const members = await call('GET', `/v1/practices/${created.body.practiceId}/memberships`, 'alice');
      expect(members.body).toEqual({ members: [{ userId: 'alice', role: 'owner', joinedAt: expect.any(String) }] });
    });

    it('keeps the practiceId the caller chose', async () => {
      const practiceId = randomUUID();

      const created = await call('POST', '/v1/practices', 'alice', { body: { name: 'Chosen', practiceId } });

      expect(created.status).toBe(201);
      expect(created.body.practiceId).toBe(practiceId);
      expect((await call('GET', `/v1/practices/${practiceId}`, 'alice')).body.name).toBe('Chosen');
    });

    it('creates one practice for an Idempotency-Key whose first answer was lost, and answers the retry as the first time', async () => {
      const key = `lost-${randomUUID()}`;
      const create = () => call('POST', '/v1/practices', 'alice', { body: { name: 'Keyed' }, headers: { 'idempotency-key': key } });
      const first = await create();
      expect(first.status).toBe(201);
      // As after a server error once the practice was stored: the key is released, the retry runs again.
      const release = `UPDATE idempotency_keys SET attempted_at = NULL, status_code = NULL, headers = NULL, body = NULL, completed_at = NULL WHERE key = $1`;
      expect((await app.db.pool.query(release, [key])).rowCount).toBe(1);

      const retry = await create();

      expect([retry.status, retry.body, retry.etag, retry.headers.get('location')]).toEqual([201, first.body, first.etag, first.headers.get('location')]);
      const owned = await app.db.pool.query(`SELECT count(*)::int AS n FROM events WHERE type = 'practice.created' AND data->>'name' = 'Keyed'`);
      expect(owned.rows[0].n).toBe(1);
    });

    it('refuses a second practice with the same id with 409 PRACTICE_ALREADY_EXISTS and changes nothing', async () => {
      const practiceId = randomUUID();
      await call('POST', '/v1/practices', 'alice', { body: { name: 'First', practiceId } });

      const again = await call('POST', '/v1/practices', 'mallory', { body: { name: 'Second', practiceId } });

      expectError(again, 409, 'PRACTICE_ALREADY_EXISTS');
      expect(await membersOf(practiceId, 'alice')).toEqual({ alice: 'owner' });
      expect((await call('GET', `/v1/practices/${practiceId}`, 'alice')).body.name).toBe('First');
    });

    it('refuses a practiceId in capitals with 400 (the same UUID would be another practice), and creates nothing', async () => {
      const practiceId = randomUUID();
      await call('POST', '/v1/practices', 'alice', { body: { name: 'First', practiceId } });

      const twin = await call('POST', '/v1/practices', 'mallory', { body: { name: 'Twin', practiceId: practiceId.toUpperCase() } });

      expectError(twin, 400, 'VALIDATION_FAILED');
      expect(twin.body.error.details.violations.map((v: { field: string }) => v.field)).toEqual(['practiceId']);
      expect((await call('GET', `/v1/practices/${practiceId.toUpperCase()}`, 'mallory')).status).toBe(403);
    });
  });

  describe('when a member reads the practice', () => {
    it('answers 200 with the read model and its version as ETag, for every role down to viewer', async () => {
      const practiceId = await practiceWith('alice', { vera: 'viewer', sam: 'staff', ada: 'admin' });

      for (const reader of ['alice', 'ada', 'sam', 'vera']) {
        const reply = await call('GET', `/v1/practices/${practiceId}`, reader);
        expect(reply.status).toBe(200);
        expect(reply.body).toEqual({
          practiceId,
          name: 'Harbour Dental',
          version: 5,
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        });
        expect(reply.etag).toBe('"5"');
      }
    });

    it('lists the members with their roles to every member', async () => {
      const practiceId = await practiceWith('alice', { vera: 'viewer', sam: 'staff' });

      const reply = await call('GET', `/v1/practices/${practiceId}/memberships`, 'vera');

      expect(reply.status).toBe(200);
      expect(reply.body.members).toEqual(
        expect.arrayContaining([
          { userId: 'alice', role: 'owner', joinedAt: expect.any(String) },
          { userId: 'sam', role: 'staff', joinedAt: expect.any(String) },
          { userId: 'vera', role: 'viewer', joinedAt: expect.any(String) },
        ]),
      );
      expect(reply.body.members).toHaveLength(3);
    });
  });

  describe('when an operator acting as the system actor, who is not a member, asks for a practice', () => {
    it('answers 403 NOT_A_MEMBER: over HTTP a system actor gets no pass into tenants', async () => {
      const practiceId = await practiceWith('alice');
      const response = await fetch(`${app.baseUrl}/v1/practices/${practiceId}`, { headers: app.as('ops', 'system') });
      const body = (await response.json()) as { error: { code: string } };

      expect(response.status).toBe(403);
      expect(body.error.code).toBe('NOT_A_MEMBER');
    });
  });

  describe('when the practice is renamed', () => {
    it('answers 200 with the new name and version, and the read model shows them', async () => {
      const practiceId = await practiceWith('alice');

      const renamed = await call('PATCH', `/v1/practices/${practiceId}`, 'alice', { body: { name: 'Harbour Dental & Ortho' } });

      expect(renamed.status).toBe(200);
      expect(renamed.body).toEqual({ practiceId, name: 'Harbour Dental & Ortho', version: 3 });
      expect(renamed.etag).toBe('"3"');
      const read = await call('GET', `/v1/practices/${practiceId}`, 'alice');
      expect(read.body).toMatchObject({ name: 'Harbour Dental & Ortho', version: 3 });
      expect(read.etag).toBe('"3"');
    });

    it('lets an admin rename it', async () => {
      const practiceId = await practiceWith('alice', { ada: 'admin' });

      const renamed = await call('PATCH', `/v1/practices/${practiceId}`, 'ada', { body: { name: 'By the admin' } });

      expect(renamed.status).toBe(200);
      expect((await call('GET', `/v1/practices/${practiceId}`, 'alice')).body.name).toBe('By the admin');
    });

    it('accepts If-Match with the current version', async () => {
      const practiceId = await practiceWith('alice');
      const { etag } = await call('GET', `/v1/practices/${practiceId}`, 'alice');

      const renamed = await call('PATCH', `/v1/practices/${practiceId}`, 'alice', {
        body: { name: 'Matched' },
        headers: { 'if-match': etag! },
      });

      expect(renamed.status).toBe(200);
      expect(renamed.etag).toBe('"3"');
    });

    it('answers 409 CONCURRENCY_CONFLICT when If-Match names a version the practice has moved on from, and keeps the newer name', async () => {
      const practiceId = await practiceWith('alice');
      const { etag } = await call('GET', `/v1/practices/${practiceId}`, 'alice');
      await call('PATCH', `/v1/practices/${practiceId}`, 'alice', { body: { name: 'Newer' } });

      const stale = await call('PATCH', `/v1/practices/${practiceId}`, 'alice', {
        body: { name: 'Stale' },
        headers: { 'if-match': etag! },
      });

      expectError(stale, 409, 'CONCURRENCY_CONFLICT');
      expect(stale.body.error.details).toEqual({ expectedVersion: 2, actualVersion: 3 });
      expect((await call('GET', `/v1/practices/${practiceId}`, 'alice')).body).toMatchObject({ name: 'Newer', version: 3 });
    });

    it('renames with If-Match: * (the practice exists), whatever its version', async () => {
      const practiceId = await practiceWith('alice');
      await call('PATCH', `/v1/practices/${practiceId}`, 'alice', { body: { name: 'Newer' } });

      const renamed = await call('PATCH', `/v1/practices/${practiceId}`, 'alice', { body: { name: 'Newest' }, headers: { 'if-match': '*' } });

      expect({ status: renamed.status, etag: renamed.etag }).toEqual({ status: 200, etag: '"4"' });
    });

    it.each(['abc', '"v2"', '* "1"', '"2", "3"', '"-1"'])('answers 400 INVALID_IF_MATCH to If-Match %j and changes nothing', async (ifMatch) => {
      const practiceId = await practiceWith('alice');

      const reply = await call('PATCH', `/v1/practices/${practiceId}`, 'alice', {
        body: { name: 'Nope' },
        headers: { 'if-match': ifMatch },
      });

      expectError(reply, 400, 'INVALID_IF_MATCH');
      expect((await call('GET', `/v1/practices/${practiceId}`, 'alice')).body).toMatchObject({ name: 'Harbour Dental', version: 2 });
    });

    it('answers 403 ROLE_TOO_LOW to staff and to viewers, and the name stays', async () => {
      const practiceId = await practiceWith('alice', { sam: 'staff', vera: 'viewer' });

      expectError(await call('PATCH', `/v1/practices/${practiceId}`, 'sam', { body: { name: 'By staff' } }), 403, 'ROLE_TOO_LOW');
      expectError(await call('PATCH', `/v1/practices/${practiceId}`, 'vera', { body: { name: 'By viewer' } }), 403, 'ROLE_TOO_LOW');

      expect((await call('GET', `/v1/practices/${practiceId}`, 'alice')).body).toMatchObject({ name: 'Harbour Dental', version: 4 });
    });
  });

  describe('when two renames with the same If-Match arrive at the same time', () => {
    it('lets exactly one win, answers 409 to the other, and the read model shows the winner', async () => {
      for (let round = 0; round < 5; round++) {
        const practiceId = await practiceWith('alice', { ada: 'admin' });
        const rename = (userId: string, name: string) =>
          call('PATCH', `/v1/practices/${practiceId}`, userId, { body: { name }, headers: { 'if-match': '"3"' } });

        const replies = await Promise.all([rename('alice', `Alice's ${round}`), rename('ada', `Ada's ${round}`)]);

        expect(replies.map((r) => r.status).sort()).toEqual([200, 409]);
        const winner = replies.find((r) => r.status === 200)!;
        const loser = replies.find((r) => r.status === 409)!;
        expectError(loser, 409, 'CONCURRENCY_CONFLICT');
        const read = await call('GET', `/v1/practices/${practiceId}`, 'alice');
        expect(read.body).toMatchObject({ name: winner.body.name, version: 4 });
        expect((await eventTypesOf(practiceId, 'alice')).filter((t) => t === 'practice.updated')).toHaveLength(1);
      }
    });
  });

  describe('when an owner adds members', () => {
    it('answers 201 with the membership, its version and ETag, and the list shows the new member', async () => {
      const practiceId = await practiceWith('alice');

      const added = await call('POST', `/v1/practices/${practiceId}/memberships`, 'alice', { body: { userId: 'sam', role: 'staff' } });

      expect(added.status).toBe(201);
      expect(added.body).toEqual({ practiceId, userId: 'sam', role: 'staff', version: 3 });
      expect(added.etag).toBe('"3"');
      expect(await membersOf(practiceId, 'sam')).toEqual({ alice: 'owner', sam: 'staff' });
      expect((await call('GET', `/v1/practices/${practiceId}`, 'alice')).etag).toBe('"3"');
    });

    it('grants every role, including owner', async () => {
      const practiceId = await practiceWith('alice', { bob: 'owner', ada: 'admin', sam: 'staff', vera: 'viewer' });

      expect(await membersOf(practiceId, 'vera')).toEqual({ alice: 'owner', bob: 'owner', ada: 'admin', sam: 'staff', vera: 'viewer' });
    });

    it.each(['.', '..'])('answers 400 VALIDATION_FAILED to the user id %j, whose membership no URL could address, and adds nobody', async (userId) => {
      const practiceId = await practiceWith('alice');

      const added = await call('POST', `/v1/practices/${practiceId}/memberships`, 'alice', { body: { userId, role: 'staff' } });

      expectError(added, 400, 'VALIDATION_FAILED');
      expect(await membersOf(practiceId, 'alice')).toEqual({ alice: 'owner' });
    });

    it('answers 409 MEMBER_ALREADY_EXISTS for someone who is already a member, and keeps the role', async () => {
      const practiceId = await practiceWith('alice', { sam: 'staff' });

      const again = await call('POST', `/v1/practices/${practiceId}/memberships`, 'alice', { body: { userId: 'sam', role: 'admin' } });

      expectError(again, 409, 'MEMBER_ALREADY_EXISTS');
      expect(await membersOf(practiceId, 'alice')).toEqual({ alice: 'owner', sam: 'staff' });
    });

    it('answers 409 CONCURRENCY_CONFLICT when If-Match is stale', async () => {
      const practiceId = await practiceWith('alice', { sam: 'staff' });

      const stale = await call('POST', `/v1/practices/${practiceId}/memberships`, 'alice', {
        body: { userId: 'vera', role: 'viewer' },
        headers: { 'if-match': '"2"' },
      });

      expectError(stale, 409, 'CONCURRENCY_CONFLICT');
      expect(await membersOf(practiceId, 'alice')).toEqual({ alice: 'owner', sam: 'staff' });
    });
  });

  describe('when an admin manages members', () => {
    it('adds staff, viewers and admins', async () => {
      const practiceId = await practiceWith('alice', { ada: 'admin' });

      for (const [userId, role] of [['sam', 'staff'], ['vera', 'viewer'], ['adam', 'admin']]) {
        const added = await call('POST', `/v1/practices/${practiceId}/memberships`, 'ada', { body: { userId, role } });
        expect(added.status).toBe(201);
      }

      expect(await membersOf(practiceId, 'ada')).toEqual({ alice: 'owner', ada: 'admin', sam: 'staff', vera: 'viewer', adam: 'admin' });
    });

    it('answers 403 ROLE_TOO_LOW to granting owner, promoting to owner or demoting an owner', async () => {
      const practiceId = await practiceWith('alice', { bob: 'owner', ada: 'admin', sam: 'staff' });
      const base = `/v1/practices/${practiceId}/memberships`;

      expectError(await call('POST', base, 'ada', { body: { userId: 'eve', role: 'owner' } }), 403, 'ROLE_TOO_LOW');
      expectError(await call('PATCH', `${base}/sam`, 'ada', { body: { role: 'owner' } }), 403, 'ROLE_TOO_LOW');
      expectError(await call('PATCH', `${base}/bob`, 'ada', { body: { role: 'staff' } }), 403, 'ROLE_TOO_LOW');

      expect(await membersOf(practiceId, 'alice')).toEqual({ alice: 'owner', bob: 'owner', ada: 'admin', sam: 'staff' });
    });
  });

  describe('when staff or viewers try to manage members', () => {
    it('answers 403 ROLE_TOO_LOW to every write, and the members stay as they were', async () => {
      const practiceId = await practiceWith('alice', { sam: 'staff', vera: 'viewer' });
      const base = `/v1/practices/${practiceId}/memberships`;

      for (const caller of ['sam', 'vera']) {
        expectError(await call('POST', base, caller, { body: { userId: 'eve', role: 'viewer' } }), 403, 'ROLE_TOO_LOW');
        expectError(await call('POST', base, caller, { body: { userId: caller, role: 'owner' } }), 403, 'ROLE_TOO_LOW');
        expectError(await call('PATCH', `${base}/vera`, caller, { body: { role: 'staff' } }), 403, 'ROLE_TOO_LOW');
        expectError(await call('PATCH', `${base}/${caller}`, caller, { body: { role: 'admin' } }), 403, 'ROLE_TOO_LOW');
      }

      expect(await membersOf(practiceId, 'alice')).toEqual({ alice: 'owner', sam: 'staff', vera: 'viewer' });
      expect(await eventTypesOf(practiceId, 'alice')).toHaveLength(4);
    });
  });

  describe('when a role is changed', () => {
    it('answers 200 with the new role and version, and the list shows it', async () => {
      const practiceId = await practiceWith('alice', { sam: 'staff' });

      const changed = await call('PATCH', `/v1/practices/${practiceId}/memberships/sam`, 'alice', { body: { role: 'admin' } });

      expect(changed.status).toBe(200);
      expect(changed.body).toEqual({ practiceId, userId: 'sam', role: 'admin', version: 4 });
      expect(changed.etag).toBe('"4"');
      expect(await membersOf(practiceId, 'sam')).toEqual({ alice: 'owner', sam: 'admin' });
    });

    it('answers 409 ROLE_UNCHANGED when the member already has that role', async () => {
      const practiceId = await practiceWith('alice', { sam: 'staff' });

      const same = await call('PATCH', `/v1/practices/${practiceId}/memberships/sam`, 'alice', { body: { role: 'staff' } });

      expectError(same, 409, 'ROLE_UNCHANGED');
      expect(await eventTypesOf(practiceId, 'alice')).toHaveLength(3);
    });

    it('answers 404 MEMBER_NOT_FOUND for someone who is not a member', async () => {
      const practiceId = await practiceWith('alice');

      const missing = await call('PATCH', `/v1/practices/${practiceId}/memberships/nobody`, 'alice', { body: { role: 'staff' } });

      expectError(missing, 404, 'MEMBER_NOT_FOUND');
      expect(await membersOf(practiceId, 'alice')).toEqual({ alice: 'owner' });
    });

    it('answers 409 CONCURRENCY_CONFLICT when If-Match is stale', async () => {
      const practiceId = await practiceWith('alice', { sam: 'staff' });

      const stale = await call('PATCH', `/v1/practices/${practiceId}/memberships/sam`, 'alice', {
        body: { role: 'viewer' },
        headers: { 'if-match': '"2"' },
      });

      expectError(stale, 409, 'CONCURRENCY_CONFLICT');
      expect(await membersOf(practiceId, 'alice')).toEqual({ alice: 'owner', sam: 'staff' });
    });
  });

  describe('when member ids are long or hold URL characters', () => {
    it.each(['u'.repeat(255), 'ann.lee@example.com', 'dr/ann?x=1#y', 'zoë 👩‍⚕️'])('adds %j and changes the role through the path', async (userId) => {
      const practiceId = await practiceWith('alice', { [userId]: 'staff' });
      const path = `/v1/practices/${practiceId}/memberships/${encodeURIComponent(userId)}`;

      const changed = await call('PATCH', path, 'alice', { body: { role: 'admin' } });

      expect(changed.status).toBe(200);
      expect(changed.body.userId).toBe(userId);
      expect(await membersOf(practiceId, userId)).toEqual({ alice: 'owner', [userId]: 'admin' });
    });
  });

  describe('when member ids name what every object inherits', () => {
    it.each(['toString', 'constructor', '__proto__'])(
      'answers 404 MEMBER_NOT_FOUND for %j until it is added, then changes its role, storing nothing for the refusal',
      async (userId) => {
        const practiceId = await practiceWith('alice', { ada: 'admin' });
        const path = `/v1/practices/${practiceId}/memberships/${encodeURIComponent(userId)}`;

        expectError(await call('PATCH', path, 'ada', { body: { role: 'staff' } }), 404, 'MEMBER_NOT_FOUND');
        const added = await call('POST', `/v1/practices/${practiceId}/memberships`, 'ada', { body: { userId, role: 'viewer' } });
        const changed = await call('PATCH', path, 'ada', { body: { role: 'staff' } });

        expect([added.status, changed.status]).toEqual([201, 200]);
        expect(await eventTypesOf(practiceId, 'alice')).toEqual([
          'practice.created',
          'membership.created',
          'membership.created',
          'membership.created',
          'membership.role_changed',
        ]);
        expect(Object.entries(await membersOf(practiceId, 'alice'))).toEqual([
          ['alice', 'owner'],
          ['ada', 'admin'],
          [userId, 'staff'],
        ]);
      },
    );
  });

  describe('when the last owner is to be demoted', () => {
    it('answers 409 LAST_OWNER_CANNOT_BE_DEMOTED, whoever asks, and the owner stays', async () => {
      const practiceId = await practiceWith('alice', { ada: 'admin' });
      const path = `/v1/practices/${practiceId}/memberships/alice`;

      expectError(await call('PATCH', path, 'alice', { body: { role: 'admin' } }), 409, 'LAST_OWNER_CANNOT_BE_DEMOTED');
      expectError(await call('PATCH', path, 'alice', { body: { role: 'viewer' } }), 409, 'LAST_OWNER_CANNOT_BE_DEMOTED');
      expectError(await call('PATCH', path, 'ada', { body: { role: 'viewer' } }), 403, 'ROLE_TOO_LOW');

      expect(await membersOf(practiceId, 'alice')).toEqual({ alice: 'owner', ada: 'admin' });
    });
  });

  describe('when a practice has two owners', () => {
    it('lets one demote the other, and then refuses to demote the one left', async () => {
      const practiceId = await practiceWith('alice', { bob: 'owner' });
      const base = `/v1/practices/${practiceId}/memberships`;

      expect((await call('PATCH', `${base}/bob`, 'alice', { body: { role: 'admin' } })).status).toBe(200);
      expectError(await call('PATCH', `${base}/alice`, 'alice', { body: { role: 'admin' } }), 409, 'LAST_OWNER_CANNOT_BE_DEMOTED');

      expect(await membersOf(practiceId, 'bob')).toEqual({ alice: 'owner', bob: 'admin' });
    });
  });

  describe('when a viewer uses the practice', () => {
    it('reads everything and answers 403 to every write', async () => {
      const practiceId = await practiceWith('alice', { vera: 'viewer' });

      expect((await call('GET', `/v1/practices/${practiceId}`, 'vera')).status).toBe(200);
      expect((await call('GET', `/v1/practices/${practiceId}/memberships`, 'vera')).status).toBe(200);
      expect((await call('GET', `/v1/events/aggregate/${practiceId}/practice/${practiceId}`, 'vera')).status).toBe(200);
      expect((await call('GET', `/v1/events/type/${practiceId}/practice.created`, 'vera')).status).toBe(200);
      expectError(await call('PATCH', `/v1/practices/${practiceId}`, 'vera', { body: { name: 'Mine' } }), 403, 'ROLE_TOO_LOW');
      expectError(
        await call('POST', `/v1/practices/${practiceId}/memberships`, 'vera', { body: { userId: 'eve', role: 'viewer' } }),
        403,
        'ROLE_TOO_LOW',
      );
      expectError(
        await call('PATCH', `/v1/practices/${practiceId}/memberships/vera`, 'vera', { body: { role: 'owner' } }),
        403,
        'ROLE_TOO_LOW',
      );
      expectError(
        await call('POST', '/v1/events/append', 'vera', {
          body: { practiceId, aggregateType: 'practice', aggregateId: practiceId, eventType: 'practice.updated', payload: { name: 'Mine' } },
        }),
        403,
        'ROLE_TOO_LOW',
      );

      expect(await eventTypesOf(practiceId, 'alice')).toEqual(['practice.created', 'membership.created', 'membership.created']);
    });
  });
});
