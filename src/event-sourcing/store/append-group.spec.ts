import type { Pool } from 'pg';
import { AppendGroup, type GroupableAppend } from './append-group.js';

/**
 * The group's queueing, without a database (statements and their outcomes are covered on
 * PostgreSQL in test/integration/append-group.int-spec.ts): every append gets an answer,
 * whatever fails on the way.
 */
const unreachable = { connect: () => Promise.reject(new Error('connection refused')) } as unknown as Pool;

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

const appendTo = <T>(streamKey: string, alone: () => Promise<T>): GroupableAppend<T> => ({
  streamKey,
  stream: { tenantId: 't', aggregateType: 'a', aggregateId: streamKey },
  expectedVersion: 0,
  events: [{ eventId: `00000000-0000-4000-8000-00000000000${streamKey.length}`, type: 'x', schemaVersion: 1, data: {}, storedData: {},
    metadata: { actor: { type: 'system', id: null } }, occurredAt: new Date() }],
  writes: [],
  alone,
});

describe('AppendGroup', () => {
  it('hands an append alone in its turn its own result', async () => {
    const group = new AppendGroup(unreachable, { inFlight: 1, maxAppends: 32 });
    await expect(group.send(appendTo('s', async () => 'stored'))).resolves.toEqual({ result: 'stored' });
  });

  it('hands an append alone in its turn its error, even one thrown before any promise', async () => {
    const group = new AppendGroup(unreachable, { inFlight: 1, maxAppends: 32 });
    const throwing = (() => {
      throw new Error('bad statement');
    }) as () => Promise<never>;
    await expect(group.send(appendTo('s', throwing))).rejects.toThrow('bad statement');
    // and the group goes on
    await expect(group.send(appendTo('t', async () => 'next'))).resolves.toEqual({ result: 'next' });
  });

  it('tells each append of a group that cannot be sent to go again alone', async () => {
    const group = new AppendGroup(unreachable, { inFlight: 1, maxAppends: 32 });
    let release!: () => void;
    const first = group.send(appendTo('a', () => new Promise<string>((resolve) => (release = () => resolve('first')))));
    const waiting = [group.send(appendTo('bb', async () => 'unused')), group.send(appendTo('ccc', async () => 'unused'))];
    await nextTurn();
    release();
    await expect(first).resolves.toEqual({ result: 'first' });
    await expect(Promise.all(waiting)).resolves.toEqual(['again', 'again']);
  });

  it('keeps two appends of one stream apart: the second waits for the first', async () => {
    const group = new AppendGroup(unreachable, { inFlight: 2, maxAppends: 32 });
    const order: string[] = [];
    let release!: () => void;
    const first = group.send(appendTo('s', () => new Promise<string>((resolve) => (release = () => resolve('first')))));
    const second = group.send(appendTo('s', async () => (order.push('second'), 'second')));
    await nextTurn();
    expect(order).toEqual([]);
    release();
    await expect(first).resolves.toEqual({ result: 'first' });
    await expect(second).resolves.toEqual({ result: 'second' });
  });
});
