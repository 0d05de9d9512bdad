import { projectionSpec, recordedEvent } from '../../../event-sourcing/testing/index.js';
import { membershipCreated, membershipRoleChanged, practiceCreated, practiceUpdated, type PracticeEvent } from '../domain/practice.events.js';
import { practiceDirectoryChanges, practiceMembersChanges } from './practice-directory.projection.js';

const PRACTICE = 'practice-harbour';
const CREATED_AT = new Date('2027-03-01T09:00:00.000Z');
const LATER = new Date('2027-03-02T09:00:00.000Z');

/** The n-th event of the practice's stream, at `at`. */
const nth = (version: number, event: PracticeEvent, at = CREATED_AT) =>
  recordedEvent(event, { tenantId: PRACTICE, aggregateType: 'practice', aggregateId: PRACTICE, version, occurredAt: at });

const founded = [nth(1, practiceCreated({ name: 'Harbour Dental' })), nth(2, membershipCreated({ userId: 'olivia', role: 'owner' }))];

describe('the practice directory', () => {
  describe('practices', () => {
    it('holds the practice as created, at the version of its owner joining', () =>
      projectionSpec(practiceDirectoryChanges)
        .given(...founded)
        .then({ practice_id: PRACTICE, name: 'Harbour Dental', version: 2, created_at: CREATED_AT, updated_at: CREATED_AT }));

    it('follows renames and membership changes with its version and time', () =>
      projectionSpec(practiceDirectoryChanges)
        .given(...founded, nth(3, practiceUpdated({ name: 'Harbour Clinic' }), LATER), nth(4, membershipCreated({ userId: 'sam', role: 'staff' }), LATER))
        .then({ name: 'Harbour Clinic', version: 4, created_at: CREATED_AT, updated_at: LATER }));
  });

  describe('practice members', () => {
    it('holds one row a member, with the role they have now', () =>
      projectionSpec(practiceMembersChanges)
        .given(
          ...founded,
          nth(3, membershipCreated({ userId: 'sam', role: 'staff' }), LATER),
          nth(4, membershipRoleChanged({ userId: 'sam', role: 'admin', previousRole: 'staff' }), LATER),
        )
        .then(
          { practice_id: PRACTICE, user_id: 'olivia', role: 'owner', joined_at: CREATED_AT },
          { practice_id: PRACTICE, user_id: 'sam', role: 'admin', joined_at: LATER },
        ));

    it('has no row for a practice without members', () => projectionSpec(practiceMembersChanges).given(founded[0]).then());
  });
});
