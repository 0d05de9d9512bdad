import { inMemoryAggregates } from '../testing/in-memory-aggregates.js';
import { projectionSpec } from '../testing/projection-spec.js';
import { recordedEvent } from '../testing/recorded-event.js';
import {
  entriesWith,
  entryList,
  entryListKeyedBackwards,
  entryListKeyedShort,
  join,
  leave,
  type EntryEvent,
  type EntryRow,
} from './entry-list.fixtures.js';
import { foldOfChanges } from './row-change.js';

/**
 * PostgreSQL writes a `put` where the row's own key columns say and finds the row for a `set`
 * or `remove` by `keyOf`; in memory every change is keyed by `keyOf`. A `keyOf` that cannot be
 * the row's key would pass every in-memory spec and lose the row's changes on PostgreSQL, so
 * both refuse it, naming the read model.
 */
describe('an inline read model whose keyOf cannot be its rows’ key', () => {
  const joined = recordedEvent<EntryEvent>({ type: 'entry.joined', data: { guestId: 'g-1' } }, { tenantId: 't-1', aggregateId: 'e-1', version: 1 });
  const left = recordedEvent<EntryEvent>({ type: 'entry.left', data: { reason: 'asked' } }, { tenantId: 't-1', aggregateId: 'e-1', version: 2 });

  it('keeps the row when keyOf gives the key columns in their order', async () => {
    const entries = entriesWith(entryList);
    const { repository, readModels } = inMemoryAggregates(entries);
    await repository.execute(entries, join('t-1', 'e-1'));
    await repository.execute(entries, leave('t-1', 'e-1'));
    expect(readModels.rows<EntryRow>('entries')).toEqual([{ tenant_id: 't-1', entry_id: 'e-1', status: 'left', version: 2 }]);
  });

  it('is refused by the in-memory repository when keyOf lists the key in another order', async () => {
    const entries = entriesWith(entryListKeyedBackwards);
    const { repository } = inMemoryAggregates(entries);
    await expect(repository.execute(entries, join('t-1', 'e-1'))).rejects.toThrow(/Read model entry-list: .*keyOf gave \["e-1","t-1"\]/);
  });

  it('is refused by the in-memory repository when keyOf gives fewer values than there are key columns', async () => {
    const entries = entriesWith(entryListKeyedShort);
    const { repository } = inMemoryAggregates(entries);
    await expect(repository.execute(entries, join('t-1', 'e-1'))).rejects.toThrow(/Read model entry-list: keyOf gave 1 value\(s\).*2 key columns/);
  });

  it('fails its in-memory projection spec, as a row change and as a fold', () => {
    expect(() => projectionSpec(entryListKeyedBackwards).given(joined, left).then({ status: 'left' })).toThrow(/Read model entry-list/);
    const fold = foldOfChanges<EntryRow, EntryEvent>({ ...entryListKeyedShort, handles: ['entry.joined', 'entry.left'] });
    expect(() => projectionSpec(fold).given(joined, left).then({ status: 'left' })).toThrow(/Read model entry-list: keyOf gave 1/);
  });
});
