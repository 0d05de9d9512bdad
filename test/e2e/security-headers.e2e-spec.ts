import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Every answer carries helmet's security headers, refusals included. That they leave the API
 * docs working is checked on the real process (startup.e2e-spec), which serves the UI.
 */
const HELMET_HEADERS = ['x-content-type-options', 'x-frame-options', 'referrer-policy', 'strict-transport-security'];

describe('Security headers', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it.each([
    ['a public route', '/health'],
    ['an API route, refusing', `/v1/practices/${randomUUID()}`],
  ])('are sent on %s', async (_, path) => {
    const response = await fetch(`${app.baseUrl}${path}`, { headers: app.as('ada') });
    expect(Object.fromEntries(HELMET_HEADERS.map((name) => [name, response.headers.get(name)]))).toEqual({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': expect.stringMatching(/^max-age=\d+/),
    });
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});
