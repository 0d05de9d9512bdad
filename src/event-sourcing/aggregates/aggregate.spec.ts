import 'reflect-metadata';
import { IsInt } from 'class-validator';
import { domainError, type Command, type Decider, type DomainEvent } from '../domain/index.js';
import { DomainError } from '../domain/domain-error.js';
import type { RowChangeProjectionDefinition } from '../projections/row-change.js';
import { inMemoryAggregates } from '../testing/in-memory-aggregates.js';
import { defineAggregate } from './aggregate.js';

class CounterTooHigh extends domainError('rule-violated', 'COUNTER_TOO_HIGH') {}

type CounterEvent = DomainEvent<'counter.started', { by: number }> | DomainEvent<'counter.moved', { by: number }>;
type CounterCommand = Command<'Move', { counterId: string; by: number }>;

const counterDecider: Decider<number | null, CounterCommand, CounterEvent> = {
  initialState: null,
  decide: ({ data }, total) => {
    if ((total ?? 0) + data.by > 10) throw new CounterTooHigh(`${data.counterId} would pass 10`, { counterId: data.counterId });
    return [total === null ? { type: 'counter.started', data: { by: data.by } } : { type: 'counter.moved', data: { by: data.by } }];
  },
  evolve: (total, event) => (total ?? 0) + event.data.by,
};

class By {
  @IsInt() by!: number;
}

type CounterRow = { counter_id: string; total: number; moves: number };

/** Names no event types: as an aggregate's inline read model it takes all of the aggregate's. */
const counterList: RowChangeProjectionDefinition<CounterRow, CounterEvent> = {
  name: 'counter-list',
  table: 'counters',
  keyColumns: ['counter_id'],
  keyOf: (event) => [event.aggregateId],
  changeOf: (event) =>
    event.type === 'counter.started'
      ? { put: { counter_id: event.aggregateId, total: event.data.by, moves: 1 } }
      : { set: { total: event.data.by, moves: event.version } },
};

const counters = defineAggregate({
  type: 'counter',
  decider: counterDecider,
  idOf: (command) => command.data.counterId,
  events: { 'counter.started': By, 'counter.moved': By },
  inlineProjections: [counterList],
});

const move = (by: number): CounterCommand => ({
  type: 'Move',
  data: { counterId: 'c-1', by },
  metadata: { now: '2026-12-05T10:00:00.000Z', actor: { type: 'human', id: 'u-1' }, tenantId: 't-1' },
});

describe('an aggregate registered with defineAggregate', () => {
  it('derives its event types from the schema keys, written once', () => {
    expect(counters.eventTypes).toEqual(['counter.started', 'counter.moved']);
  });

  it('feeds an inline read model that names no event types every event of the aggregate', async () => {
    const { repository, readModels } = inMemoryAggregates(counters);
    await repository.execute(counters, move(2));
    await repository.execute(counters, move(3));

    expect(readModels.rows<CounterRow>('counters')).toEqual([{ counter_id: 'c-1', total: 3, moves: 2 }]);
  });
});

describe('domainError', () => {
  it('makes an error class whose kind, code, name, message and details are what it was given', () => {
    const error = new CounterTooHigh('c-1 would pass 10', { counterId: 'c-1' });

    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'rule-violated', code: 'COUNTER_TOO_HIGH', name: 'CounterTooHigh', message: 'c-1 would pass 10' });
    expect(error.details).toEqual({ counterId: 'c-1' });
  });

  it('refuses the command the rule forbids, through the repository', async () => {
    const { repository } = inMemoryAggregates(counters);
    await repository.execute(counters, move(9));

    await expect(repository.execute(counters, move(2))).rejects.toBeInstanceOf(CounterTooHigh);
  });
});

describe('a command retried with its id, in memory', () => {
  const keyed = (commandId: string): CounterCommand => {
    const command = move(9);
    return { ...command, metadata: { ...command.metadata, commandId } };
  };

  it('is answered as the first time where deciding it again would refuse it, and stores nothing', async () => {
    const { repository, store } = inMemoryAggregates(counters);
    const first = await repository.execute(counters, keyed('cmd-1'));

    await expect(repository.execute(counters, keyed('cmd-1'))).resolves.toEqual(first);
    expect(await store.streamVersion(counters.streamFor(move(9)))).toBe(1);
    await expect(repository.execute(counters, keyed('cmd-2'))).rejects.toBeInstanceOf(CounterTooHigh);
  });
});

describe('a write recorded with a command, in memory', () => {
  it('is refused, and the command stores nothing: memory cannot run its SQL, and the events must not go without it', async () => {
    const { repository, store } = inMemoryAggregates(counters);
    const recordedWith = { sql: () => 'UPDATE outbox SET sent = true' };

    await expect(repository.execute(counters, move(1), { recordedWith })).rejects.toThrow(/needs PostgreSQL/);
    expect(await store.streamVersion(counters.streamFor(move(1)))).toBe(0);
  });
});
