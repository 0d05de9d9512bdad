import { expectError, sendJson, type Reply } from '../support/http.js';
import { createPractice } from '../support/practices.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Concurrent membership lookups share one statement. An id PostgreSQL cannot store (a NUL,
 * a lone UTF-16 surrogate) must be refused where it enters, and must never fail the
 * statement that other tenants' requests are waiting on.
 */
describe('Ids PostgreSQL cannot store, sent while others read', () => {
  let app: TestApp;
  let practiceId: string;

  beforeAll(async () => {
    app = await startTestApp();
    practiceId = await createPractice(app, 'olivia', { sam: 'viewer' });
  });
  afterAll(() => app.close());

  const validReads = (count: number): Promise<Reply>[] =>
    Array.from({ length: count }, () => sendJson(app.baseUrl, 'GET', `/v1/practices/${practiceId}`, app.as('sam')));

  /** Each poisoned request in turn, interleaved with valid reads, all sent at once. */
  const sendTogether = async (poisoned: readonly (() => Promise<Reply>)[], readsEach = 6) => {
    const valid: Promise<Reply>[] = [];
    const refused: Promise<Reply>[] = [];
    for (let round = 0; round < 5; round++) {
      for (const send of poisoned) {
        valid.push(...validReads(readsEach));
        refused.push(send());
      }
    }
    return { valid: await Promise.all(valid), refused: await Promise.all(refused) };
  };

  it('answers every valid read, and 400 UNSUPPORTED_CHARACTER to ids with a NUL or a lone surrogate', async () => {
    const eve = app.as('eve');
    const { valid, refused } = await sendTogether([
      () => sendJson(app.baseUrl, 'GET', '/v1/practices/%00', eve),
      () => sendJson(app.baseUrl, 'GET', `/v1/practices/${practiceId}%00/memberships`, eve),
      () => sendJson(app.baseUrl, 'GET', `/v1/events/type/x%00/practice.created`, eve),
      () => sendJson(app.baseUrl, 'POST', '/v1/events/append', eve, appendTo('\ud800')),
      () => sendJson(app.baseUrl, 'POST', '/v1/events/append', eve, appendTo('p\udc00q')),
      () => sendJson(app.baseUrl, 'POST', '/v1/events/append', eve, appendTo('p\u0000')),
    ]);

    expect(statusCounts(valid)).toEqual({ 200: valid.length });
    for (const reply of refused) expectError(reply, 400, 'UNSUPPORTED_CHARACTER');
  });

  it('answers every valid read, and 401 UNAUTHENTICATED to tokens whose user id cannot be stored', async () => {
    const withSub = (sub: string) => ({ authorization: `Bearer ${app.tokenFor(sub)}` });
    const { valid, refused } = await sendTogether(
      ['\ud800', 'eve\udfff', 'eve\u0000'].map((sub) => () => sendJson(app.baseUrl, 'GET', `/v1/practices/${practiceId}`, withSub(sub))),
    );

    expect(statusCounts(valid)).toEqual({ 200: valid.length });
    for (const reply of refused) expectError(reply, 401, 'UNAUTHENTICATED');
  });
});

/** How many replies had each status: a short failure message when many differ. */
const statusCounts = (replies: readonly Reply[]): Record<number, number> =>
  replies.reduce<Record<number, number>>((counts, { status }) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }), {});

const appendTo = (practiceId: string) => ({
  practiceId,
  aggregateType: 'practice',
  aggregateId: 'p-1',
  eventType: 'practice.updated',
  payload: { name: 'X' },
});
