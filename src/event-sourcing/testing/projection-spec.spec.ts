import { entryList, type EntryEvent } from '../projections/entry-list.fixtures.js';
import { projectionSpec } from './projection-spec.js';
import { recordedEvent } from './recorded-event.js';

/**
 * In memory, `then` answers as `deciderSpec`'s and `sagaSpec`'s do: it fails at once, so a test
 * written like theirs (a block body, no `await`) fails on its own line instead of leaving a
 * rejection behind it for Node to crash the test run with.
 */
describe('projectionSpec in memory', () => {
  const joined = recordedEvent<EntryEvent>({ type: 'entry.joined', data: { guestId: 'g-1' } }, { tenantId: 't-1', aggregateId: 'e-1', version: 1 });
  const left = recordedEvent<EntryEvent>({ type: 'entry.left', data: { reason: 'asked' } }, { tenantId: 't-1', aggregateId: 'e-1', version: 2 });

  it('passes without a promise when the rows are the ones expected', () => {
    expect(projectionSpec(entryList).given(joined, left).then({ entry_id: 'e-1', status: 'left', version: 2 })).toBeUndefined();
  });

  it('fails at once when they are not', () => {
    expect(() => projectionSpec(entryList).given(joined, left).then({ status: 'waiting' })).toThrow(/"status": "waiting"/);
    expect(() => projectionSpec(entryList).given(joined).then()).toThrow(/"entry_id": "e-1"/);
  });
});
