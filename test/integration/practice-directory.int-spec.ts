import { membershipCreated, membershipRoleChanged, practiceCreated, type PracticeEvent } from '../../src/contexts/tenancy/domain/practice.events.js';
import { practiceDirectoryChanges, practiceMembersChanges } from '../../src/contexts/tenancy/infrastructure/practice-directory.projection.js';
import { projectionSpec, recordedEvent } from '../../src/event-sourcing/testing/index.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** The practice directory's scenarios in its real tables: column types, keys and constraints of the migrations. */
describe('the practice directory on PostgreSQL (projectionSpec with a pool)', () => {
  const PRACTICE = 'practice-harbour';
  const AT = new Date('2027-03-01T09:00:00.000Z');
  const nth = (version: number, event: PracticeEvent) =>
    recordedEvent(event, { tenantId: PRACTICE, aggregateType: 'practice', aggregateId: PRACTICE, version, occurredAt: AT });
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(2);
  });
  afterAll(() => db.drop());

  it('stores the practice and its members as the in-memory spec does, and leaves the tables as they were', async () => {
    const events = [
      nth(1, practiceCreated({ name: 'Harbour Dental' })),
      nth(2, membershipCreated({ userId: 'olivia', role: 'owner' })),
      nth(3, membershipCreated({ userId: 'sam', role: 'staff' })),
      nth(4, membershipRoleChanged({ userId: 'sam', role: 'admin', previousRole: 'staff' })),
    ];

    await projectionSpec(practiceDirectoryChanges, { pool: db.pool }).given(...events).then({ practice_id: PRACTICE, name: 'Harbour Dental', version: 4, created_at: AT });
    await projectionSpec(practiceMembersChanges, { pool: db.pool })
      .given(...events)
      .then({ user_id: 'olivia', role: 'owner', joined_at: AT }, { user_id: 'sam', role: 'admin', joined_at: AT });

    expect((await db.pool.query('SELECT count(*)::int AS n FROM practice_members')).rows[0].n).toBe(0);
  });

  it('refuses what the table refuses: a role outside the check constraint fails the spec', async () => {
    const spec = projectionSpec(practiceMembersChanges, { pool: db.pool }).given(
      nth(1, practiceCreated({ name: 'Harbour Dental' })),
      nth(2, membershipCreated({ userId: 'olivia', role: 'superuser' as 'owner' })),
    );
    await expect(spec.then()).rejects.toMatchObject({ code: '23514' });
  });
});
