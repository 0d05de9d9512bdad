import { setTimeout as sleep } from 'node:timers/promises';
import { expectError, sendJson, type Reply } from '../support/http.js';
import { stay } from '../support/stays.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Requests that need a token's signature checked, or bring no credentials, count against
 * their client address: past RATE_LIMIT_ADDRESS_PER_SECOND a flood is answered 429 before any
 * token is checked. Windows are whole seconds, so each scenario starts early in one and
 * finishes well within it.
 */
const ADDRESS_LIMIT = 5;
const FLOOD = ADDRESS_LIMIT * 4;
const PROXY = '127.0.0.1';

/** Waits, if need be, for a second that has most of itself left. */
const freshWindow = async (): Promise<void> => {
  const into = Date.now() % 1000;
  if (into > 300) await sleep(1000 - into + 10);
};

describe('Unauthenticated requests, limited per client address', () => {
  let behindProxy: TestApp;
  let direct: TestApp;
  let clients = 0;
  /** A client address of its own, as the trusted proxy forwards it. */
  const newClient = () => ({ 'x-forwarded-for': `203.0.113.${++clients}` });
  const validate = (app: TestApp, headers: Record<string, string>) =>
    sendJson(app.baseUrl, 'POST', '/v1/reservations/validate', headers, stay());
  const forged = (client: Record<string, string>, i: number) => ({ ...client, authorization: `Bearer forged.token.${i}` });
  const flood = (app: TestApp, headersOf: (i: number) => Record<string, string>): Promise<Reply[]> =>
    Promise.all(Array.from({ length: FLOOD }, (_, i) => validate(app, headersOf(i))));
  const expectLimited = (replies: readonly Reply[], otherwise: number) => {
    const refused = replies.filter((reply) => reply.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(FLOOD - ADDRESS_LIMIT);
    expect(replies.filter((reply) => reply.status !== 429 && reply.status !== otherwise)).toEqual([]);
    for (const reply of refused) {
      expectError(reply, 429, 'RATE_LIMITED');
      expect(reply.body.error.details).toMatchObject({ scope: 'address', limitPerSecond: ADDRESS_LIMIT });
      expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  };

  beforeAll(async () => {
    const limit = { RATE_LIMIT_ADDRESS_PER_SECOND: String(ADDRESS_LIMIT) };
    [behindProxy, direct] = await Promise.all([startTestApp({ ...limit, TRUST_PROXY: PROXY }), startTestApp(limit)]);
  });
  afterAll(() => Promise.all([behindProxy?.close(), direct?.close()]));

  it('answers a flood of forged tokens from one address 429 RATE_LIMITED with Retry-After, past the limit', async () => {
    await freshWindow();
    const client = newClient();
    expectLimited(await flood(behindProxy, (i) => forged(client, i)), 401);
  });

  it('counts requests without credentials too', async () => {
    await freshWindow();
    const client = newClient();
    expectLimited(await flood(behindProxy, () => ({ ...client, 'content-type': 'application/json' })), 401);
  });

  it('still serves, from that address, a caller whose token was verified before; a new token waits', async () => {
    const client = newClient();
    const known = { ...client, ...behindProxy.as('known-caller') };
    expect((await validate(behindProxy, known)).status).toBe(200);
    await freshWindow();
    await flood(behindProxy, (i) => forged(client, i));
    const [again, newcomer] = await Promise.all([validate(behindProxy, known), validate(behindProxy, { ...client, ...behindProxy.as('new-caller') })]);
    expect(again.status).toBe(200);
    expectError(newcomer, 429, 'RATE_LIMITED');
  });

  it('serves another client address behind the trusted proxy', async () => {
    await freshWindow();
    const flooder = newClient();
    await flood(behindProxy, (i) => forged(flooder, i));
    const other = await validate(behindProxy, { ...newClient(), ...behindProxy.as('elsewhere') });
    expect(other.status).toBe(200);
  });

  it('counts an IPv6 client by its /64 network: rotating addresses within it does not dodge the limit', async () => {
    await freshWindow();
    const network = `2001:db8:${++clients}:7`;
    expectLimited(await flood(behindProxy, (i) => forged({ 'x-forwarded-for': `${network}::${(i + 1).toString(16)}` }, i)), 401);
  });

  it('counts a client forwarded with its port (address:port) as one, whatever port each request came from', async () => {
    await freshWindow();
    const address = `198.51.100.${++clients}`;
    expectLimited(await flood(behindProxy, (i) => forged({ 'x-forwarded-for': `${address}:${40_000 + i}` }, i)), 401);
  });

  it('ignores X-Forwarded-For without a trusted proxy: a flood cannot dodge its limit by writing it', async () => {
    await freshWindow();
    expectLimited(await flood(direct, (i) => forged(newClient(), i)), 401);
  });

  it('lets the address in again in the next window', async () => {
    await freshWindow();
    const client = newClient();
    await flood(behindProxy, (i) => forged(client, i));
    await sleep(1000 - (Date.now() % 1000) + 10);
    expect((await validate(behindProxy, { ...client, ...behindProxy.as('after-the-flood') })).status).toBe(200);
  });
});
