import { randomUUID } from 'node:crypto';
import { reservations as reservationAggregate } from '../../src/contexts/reservations/reservation.aggregate.js';
import { AggregateRepository } from '../../src/event-sourcing/aggregates/aggregate-repository.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Inline projections commit with the events or not at all: a read-model write that fails
 * (here a CHECK constraint added to the test database) takes the event down with it.
 */

interface Reply {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies are checked by the assertions
  readonly body: any;
}

const OWNER = 'olivia';
const POISON = 'poison';
const CONSTRAINT = 'reservations_refuse_poison';

const day = (n: number): string => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

describe('Inline projection in the append transaction', () => {
  let app: TestApp;
  let practice: string;

  const post = async (path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const { 'content-type': contentType, ...auth } = app.as(OWNER);
    const response = await fetch(`${app.baseUrl}${path}`, {
      method: 'POST',
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': contentType }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };

  const reservations = (rest = '') => `/v1/practices/${practice}/reservations${rest}`;
  const create = (guestName: string, reservationId: string = randomUUID(), headers: Record<string, string> = {}) =>
    post(reservations(), { reservationId, guestId: 'guest-17', guestName, checkInDate: day(10), nights: 2 }, headers);

  const count = async (sql: string, params: unknown[] = []): Promise<number> => (await app.db.pool.query(`SELECT count(*)::int AS n ${sql}`, params)).rows[0].n;
  /** Every stored event of this reservation id, in any tenant. */
  const eventsOf = (id: string) => count(`FROM events WHERE aggregate_id = $1`, [id]);
  const rowOf = async (id: string) => (await app.db.pool.query(`SELECT status, version FROM reservations WHERE reservation_id = $1`, [id])).rows[0] ?? null;

  const expectServerError = (reply: Reply) => {
    expect(reply.status).toBe(500);
    expect(reply.body.error.code).toBe('INTERNAL_ERROR');
  };

  beforeAll(async () => {
    app = await startTestApp({ LOG_LEVEL: 'fatal' }); // the refused writes are logged as server errors
    practice = (await post('/v1/practices', { name: 'Harbour' })).body.practiceId;
    await app.db.pool.query(
      `ALTER TABLE reservations ADD CONSTRAINT ${CONSTRAINT} CHECK (guest_name <> '${POISON}' AND cancel_reason IS DISTINCT FROM '${POISON}')`,
    );
  });
  afterAll(() => app.close());

  it('fails a creation whose read-model row is refused, and stores no event for it either', async () => {
    const id = randomUUID();
    const eventsBefore = await count('FROM events');

    expectServerError(await create(POISON, id));

    expect(await eventsOf(id)).toBe(0);
    expect(await count('FROM events')).toBe(eventsBefore);
    expect(await rowOf(id)).toBeNull();
  });

  it('fails a later command whose row update is refused, and leaves stream and read model at the previous version', async () => {
    const id = randomUUID();
    expect((await create('Ada Lovelace', id)).status).toBe(201);
    expect((await post(reservations(`/${id}/confirm`))).status).toBe(200);

    expectServerError(await post(reservations(`/${id}/cancel`), { reason: POISON }));

    expect(await eventsOf(id)).toBe(2);
    expect(await rowOf(id)).toEqual({ status: 'confirmed', version: 2 });
    // The stream is not stuck: the next command appends version 3.
    expect((await post(reservations(`/${id}/cancel`), { reason: 'storm' })).body).toEqual({ reservationId: id, status: 'cancelled', version: 3 });
    expect(await rowOf(id)).toEqual({ status: 'cancelled', version: 3 });
  });

  it('keeps serving other reservations written at the same time', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];

    const replies = await Promise.all(ids.map((id, i) => create(i === 1 ? POISON : `Guest ${i}`, id)));

    expect(replies.map((r) => r.status)).toEqual([201, 500, 201, 201]);
    expect(await Promise.all(ids.map(eventsOf))).toEqual([1, 0, 1, 1]);
    expect(await Promise.all(ids.map(rowOf))).toEqual([1, 0, 1, 1].map((n) => (n ? { status: 'pending', version: 1 } : null)));
  });

  it('rejects through the repository with the database error and rolls the event back', async () => {
    const id = randomUUID();
    const repository = app.app.get(AggregateRepository);
    const command = {
      type: 'CreateReservation',
      data: { reservationId: id, guestId: 'guest-17', guestName: POISON, checkInDate: day(3), nights: 1 },
      metadata: { now: new Date().toISOString(), tenantId: practice, actor: { type: 'system', id: 'test' } },
    } as const;

    await expect(repository.execute(reservationAggregate, command)).rejects.toMatchObject({ code: '23514', constraint: CONSTRAINT });

    expect(await eventsOf(id)).toBe(0);
    expect(await rowOf(id)).toBeNull();
  });

  it('does not remember a keyed command that failed this way: the retry runs once the fault is gone', async () => {
    const id = randomUUID();
    const key = { 'idempotency-key': `poisoned-${id}` };
    expectServerError(await create(POISON, id, key));

    await app.db.pool.query(`ALTER TABLE reservations DROP CONSTRAINT ${CONSTRAINT}`);
    const retry = await create(POISON, id, key);

    expect(retry.status).toBe(201);
    expect(retry.body).toEqual({ reservationId: id, status: 'pending', version: 1 });
    expect(await eventsOf(id)).toBe(1);
    expect(await rowOf(id)).toEqual({ status: 'pending', version: 1 });
  });
});
