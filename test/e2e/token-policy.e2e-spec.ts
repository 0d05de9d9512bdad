import { expectError, sendJson } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { handMadeToken, nowInSeconds as now } from '../support/tokens.js';

/**
 * Bearer tokens must expire, within JWT_MAX_LIFETIME_SECONDS, and carry the configured
 * issuer and audience: a token that would live forever is a key that cannot be taken back.
 */

const JWT_SECRET = 'token-policy-e2e-secret-0123456789abcdef';
const ISSUER = 'https://auth.example.test';
const AUDIENCE = 'chronicle-api';

describe('bearer token policy', () => {
  let app: TestApp;
  const createPracticeWith = (token: string) =>
    sendJson(app.baseUrl, 'POST', '/v1/practices', { authorization: `Bearer ${token}` }, { name: 'Harbour Dental' });
  const valid = { sub: 'alice', iss: ISSUER, aud: AUDIENCE };

  beforeAll(async () => {
    app = await startTestApp({ JWT_SECRET, JWT_MAX_LIFETIME_SECONDS: '3600', JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE });
  });
  afterAll(() => app.close());

  it('accepts a token with exp within the maximum lifetime, the configured iss and aud', async () => {
    expect((await createPracticeWith(handMadeToken({ ...valid, iat: now(), exp: now() + 600 }, JWT_SECRET))).status).toBe(201);
  });

  it('signs its own development tokens so that it accepts them', async () => {
    expect((await sendJson(app.baseUrl, 'POST', '/v1/practices', app.as('alice'), { name: 'Harbour Dental' })).status).toBe(201);
  });

  it('takes the scheme in any case, and one or more spaces before the token', async () => {
    const token = handMadeToken({ ...valid, iat: now(), exp: now() + 600 }, JWT_SECRET);
    for (const authorization of [`bearer ${token}`, `BEARER ${token}`, `Bearer  ${token}`]) {
      const reply = await sendJson(app.baseUrl, 'POST', '/v1/practices', { authorization }, { name: 'Harbour Dental' });
      expect({ authorization: authorization.slice(0, 8), status: reply.status }).toEqual({ authorization: authorization.slice(0, 8), status: 201 });
    }
    expectError(await sendJson(app.baseUrl, 'POST', '/v1/practices', { authorization: `Basic ${token}` }, { name: 'x' }), 401, 'UNAUTHENTICATED');
  });

  it('does not tell an anonymous caller which issuer or audience it expects', async () => {
    for (const claims of [{ ...valid, iss: 'https://evil.example.test' }, { ...valid, aud: 'another-api' }]) {
      const reply = await createPracticeWith(handMadeToken({ ...claims, exp: now() + 600 }, JWT_SECRET));
      expectError(reply, 401, 'UNAUTHENTICATED');
      expect(JSON.stringify(reply.body)).not.toMatch(/auth\.example\.test|chronicle-api/);
    }
  });

  it.each([
    ['no exp', { ...valid, iat: now() }],
    ['an exp past the maximum lifetime', { ...valid, iat: now(), exp: now() + 7200 }],
    ['an exp past the maximum lifetime and no iat', { ...valid, exp: now() + 7200 }],
    ['an iat long before a far exp', { ...valid, iat: now() - 5000, exp: now() + 60 }],
    ['no issuer', { sub: 'alice', aud: AUDIENCE, exp: now() + 600 }],
    ['another issuer', { ...valid, iss: 'https://evil.example.test', exp: now() + 600 }],
    ['no audience', { sub: 'alice', iss: ISSUER, exp: now() + 600 }],
    ['another audience', { ...valid, aud: 'another-api', exp: now() + 600 }],
  ])('answers 401 UNAUTHENTICATED to a token with %s', async (_label, claims) => {
    expectError(await createPracticeWith(handMadeToken(claims, JWT_SECRET)), 401, 'UNAUTHENTICATED');
  });
});
