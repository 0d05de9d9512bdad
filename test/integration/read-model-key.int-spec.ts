import { randomUUID } from 'node:crypto';
import { AggregateCatalog } from '../../src/event-sourcing/aggregates/aggregate-catalog.js';
import { AggregateRepository } from '../../src/event-sourcing/aggregates/aggregate-repository.js';
import { InlineProjections } from '../../src/event-sourcing/aggregates/inline-projections.js';
import { registerAggregate } from '../../src/event-sourcing/aggregates/register-aggregate.js';
import { SnapshotStore } from '../../src/event-sourcing/aggregates/snapshot-store.js';
import {
  ENTRIES_TABLE,
  entriesWith,
  entryList,
  entryListKeyedBackwards,
  entryListKeyedShort,
  join,
  leave,
  type EntryEvent,
  type EntryRow,
} from '../../src/event-sourcing/projections/entry-list.fixtures.js';
import type { RowChangeProjectionDefinition } from '../../src/event-sourcing/projections/row-change.js';
import { EventRegistry } from '../../src/event-sourcing/store/event-registry.js';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import { projectionSpec } from '../../src/event-sourcing/testing/projection-spec.js';
import { recordedEvent } from '../../src/event-sourcing/testing/recorded-event.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * On PostgreSQL an inline read model's `put` lands where the row's key columns say and its `set`
 * finds the row by `keyOf`: a `keyOf` that cannot be the row's key lost every later change while
 * the in-memory specs passed. It is refused, and the command writes nothing.
 */
describe('an inline read model on PostgreSQL whose keyOf cannot be its rows’ key', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query(ENTRIES_TABLE);
  });
  afterAll(() => db.drop());

  const repositoryOf = (readModel: RowChangeProjectionDefinition<EntryRow, EntryEvent>) => {
    const entries = entriesWith(readModel);
    const registry = new EventRegistry();
    const inlineProjections = new InlineProjections();
    registerAggregate(entries, { registry, inlineProjections, catalog: new AggregateCatalog() });
    const store = new PostgresEventStore(db.pool, registry);
    return { entries, repository: AggregateRepository.onPostgres(db.pool, store, new SnapshotStore(db.pool, registry), { inlineProjections }) };
  };
  const stored = async (tenant: string) => ({
    rows: (await db.pool.query('SELECT status, version FROM entries WHERE tenant_id = $1 OR entry_id = $1', [tenant])).rows,
    events: (await db.pool.query('SELECT count(*)::int AS n FROM events WHERE tenant_id = $1', [tenant])).rows[0].n as number,
  });

  it('keeps every change when keyOf gives the key columns in their order', async () => {
    const { entries, repository } = repositoryOf(entryList);
    const [tenant, entry] = [randomUUID(), randomUUID()];
    await repository.execute(entries, join(tenant, entry));
    await repository.execute(entries, leave(tenant, entry));
    expect(await stored(tenant)).toEqual({ rows: [{ status: 'left', version: 2 }], events: 2 });
  });

  it('refuses a keyOf listing the key in another order, and the command writes nothing', async () => {
    const { entries, repository } = repositoryOf(entryListKeyedBackwards);
    const [tenant, entry] = [randomUUID(), randomUUID()];
    await expect(repository.execute(entries, join(tenant, entry))).rejects.toThrow(/Read model entry-list: .*keyOf gave/);
    expect(await stored(tenant)).toEqual({ rows: [], events: 0 });
  });

  it('refuses a keyOf with fewer values than key columns, and the command writes nothing', async () => {
    const { entries, repository } = repositoryOf(entryListKeyedShort);
    const [tenant, entry] = [randomUUID(), randomUUID()];
    await expect(repository.execute(entries, join(tenant, entry))).rejects.toThrow(/Read model entry-list: keyOf gave 1 value/);
    expect(await stored(tenant)).toEqual({ rows: [], events: 0 });
  });

  it('fails its projection spec on PostgreSQL', async () => {
    const joined = recordedEvent<EntryEvent>({ type: 'entry.joined', data: { guestId: 'g-1' } }, { tenantId: 't-1', aggregateId: 'e-1', version: 1 });
    await expect(projectionSpec(entryListKeyedBackwards, { pool: db.pool }).given(joined).then({ status: 'waiting' })).rejects.toThrow(
      /Read model entry-list: .*keyOf gave \["e-1","t-1"\]/,
    );
  });
});
