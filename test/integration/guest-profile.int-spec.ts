import { randomUUID } from 'node:crypto';
import { guestProfiles } from '../../src/contexts/reservations/infrastructure/guest-profiles.factory.js';
import { reservations } from '../../src/contexts/reservations/reservation.aggregate.js';
import { reservationListProjection } from '../../src/contexts/reservations/infrastructure/reservation-list.projection.js';
import type { RecordedEvent, StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import { EventRegistry } from '../../src/event-sourcing/store/event-registry.js';
import type { EventStore, ReadStreamOptions } from '../../src/event-sourcing/store/event-store.js';
import { foldBatch } from '../../src/event-sourcing/projections/fold-projection.js';
import { inTransaction } from '../../src/event-sourcing/store/in-transaction.js';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { forgettingOn, personalDataOn } from '../support/personal-data.js';
import { REDACTED, type SubjectForgetting } from '../../src/event-sourcing/index.js';
import type { PostgresSubjectKeys } from '../../src/event-sourcing/personal-data/postgres-subject-keys.js';

const practiceId = `practice-${randomUUID()}`;
const system = { actor: { type: 'system' as const, id: 'test' } };
const now = '2026-11-23T10:00:00.000Z';

/** Counts stream reads, to tell a cached answer from a refold. */
class CountingStore {
  reads = 0;
  constructor(private readonly inner: PostgresEventStore) {}
  readStream(stream: StreamId, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    this.reads++;
    return this.inner.readStream(stream, options);
  }
  personalDataEpoch(): number | null {
    return this.inner.personalDataEpoch();
  }
}

describe('guest profile (lazy projection)', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let counting: CountingStore;
  let forgetting: SubjectForgetting;
  let keys: PostgresSubjectKeys;

  /** Appends and updates the inline reservation list, as the repository would. */
  const record = async (reservationId: string, type: string, data: Record<string, unknown>) => {
    const stream = { tenantId: practiceId, aggregateType: 'reservation', aggregateId: reservationId };
    const { events } = await store.append(stream, [{ type, data, metadata: system }]);
    await inTransaction(db.pool, (client) => foldBatch(reservationListProjection, client, events));
  };
  const book = (reservationId: string, guestId: string, checkInDate: string, nights: number) =>
    record(reservationId, 'reservation.created', { reservationId, guestId, guestName: `Guest ${guestId}`, checkInDate, nights, createdAt: now });

  beforeAll(async () => {
    db = await createTestDatabase();
    const registry = new EventRegistry().register(...reservations.eventDefinitions);
    const personalData = personalDataOn(db.pool, registry);
    // Listening, as the app's process is: one that may miss a forgetting keeps no profile.
    keys = personalData.keys as PostgresSubjectKeys;
    await keys.start();
    forgetting = forgettingOn(db.pool, personalData);
    store = new PostgresEventStore(db.pool, registry, undefined, { personalData });
    counting = new CountingStore(store);
  });
  afterAll(async () => {
    await keys.stop();
    await db.drop();
  });

  it('folds the guest reservations on read, serves the cache while nothing changed, and refolds after a new event', async () => {
    const profiles = guestProfiles(db.pool, counting as unknown as EventStore);
    const [first, second] = [randomUUID(), randomUUID()];
    await book(first, 'ada', '2027-03-01', 3);
    await book(second, 'ada', '2027-05-02', 1);
    await book(randomUUID(), 'bob', '2027-03-01', 9);

    const profile = await profiles.get({ practiceId, guestId: 'ada' });
    expect(profile?.profile).toEqual({
      guestId: 'ada', guestName: 'Guest ada', reservations: 2, cancelled: 0, completed: 0, nights: 4,
      firstCheckIn: '2027-03-01', lastCheckIn: '2027-05-02',
    });
    const readsAfterFold = counting.reads;

    await profiles.get({ practiceId, guestId: 'ada' });
    expect(counting.reads).toBe(readsAfterFold);

    await record(first, 'reservation.cancelled', { reason: 'ill', cancelledAt: now });
    const refolded = await profiles.get({ practiceId, guestId: 'ada' });
    expect(counting.reads).toBeGreaterThan(readsAfterFold);
    expect(refolded?.profile).toMatchObject({ reservations: 2, cancelled: 1, nights: 1, firstCheckIn: '2027-05-02' });
  });

  it('refolds once the guest is forgotten: the cached profile held their name', async () => {
    const profiles = guestProfiles(db.pool, counting as unknown as EventStore);
    await book(randomUUID(), 'cleo', '2027-04-01', 2);
    expect((await profiles.get({ practiceId, guestId: 'cleo' }))?.profile.guestName).toBe('Guest cleo');
    expect((await profiles.get({ practiceId, guestId: 'cleo' }))?.profile.guestName).toBe('Guest cleo');

    await forgetting.forget(practiceId, 'cleo', { type: 'system', id: null });

    expect((await profiles.get({ practiceId, guestId: 'cleo' }))?.profile.guestName).toBe(REDACTED);
  });

  it('has no profile for a guest without reservations', async () => {
    expect(await guestProfiles(db.pool, store).get({ practiceId, guestId: 'nobody' })).toBeNull();
  });
});
