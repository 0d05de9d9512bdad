import { randomUUID } from 'node:crypto';
import { createPractice } from '../support/practices.js';
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

  it('keep every answer out of caches, data and refusals alike; the event browser\'s files only revalidate', async () => {
    const practice = await createPractice(app, 'ada');
    const paths = {
      health: '/health',
      data: `/v1/practices/${practice}`, // 200: the practice's name and members
      refused: `/v1/practices/${randomUUID()}`,
      forbidden: '/v1/admin/projections', // ada is no operator
      browserFile: '/admin/app.js',
    };
    const cacheControl = async (path: string) => (await fetch(`${app.baseUrl}${path}`, { headers: app.as('ada') })).headers.get('cache-control');
    const answers = await Promise.all(Object.entries(paths).map(async ([name, path]) => [name, await cacheControl(path)]));

    expect(Object.fromEntries(answers)).toEqual({
      health: 'no-cache, no-store, must-revalidate', // terminus's own
      data: 'no-store',
      refused: 'no-store',
      forbidden: 'no-store',
      browserFile: 'no-cache',
    });
  });
});
