import { deciderSpec } from '../../../event-sourcing/testing/index.js';
import { practiceCommandFor, practiceDecider } from './practice.decide.js';
import {
  LastOwnerCannotBeDemoted,
  MemberAlreadyExists,
  MemberNotFound,
  PracticeAlreadyExists,
  PracticeNotFound,
  RoleTooLow,
  RoleUnchanged,
} from './practice.errors.js';
import { membershipCreated, membershipRoleChanged, practiceCreated, practiceUpdated } from './practice.events.js';
import {
  ADMIN,
  addMember,
  by,
  byAgent,
  bySystem,
  changeMemberRole,
  CO_OWNER,
  createPractice,
  NEWCOMER,
  OWNER,
  PRACTICE_ID,
  PRACTICE_NAME,
  practiceWith,
  STAFF,
  TEAM,
  updatePractice,
  VIEWER,
} from './practice.fixtures.js';
import type { Role } from './role.js';

const given = deciderSpec(practiceDecider).given;
const team = practiceWith(TEAM);

describe('Practice', () => {
  describe('when it does not exist', () => {
    it('is created with the creator as its owner', () =>
      given()
        .when(createPractice({ name: 'Harbour Clinic' }, by(OWNER)))
        .then(practiceCreated({ name: 'Harbour Clinic' }), membershipCreated({ userId: OWNER, role: 'owner' })));

    it('is created without an owner by a system actor that has no id', () =>
      given().when(createPractice({}, bySystem())).then(practiceCreated({ name: PRACTICE_NAME })));

    it.each([
      ['renamed', updatePractice({ name: 'Elsewhere' })],
      ['given a member', addMember({ userId: NEWCOMER, role: 'staff' })],
      ['given a new role', changeMemberRole({ userId: OWNER, role: 'admin' })],
    ])('cannot be %s', (_, command) => given().when(command).thenThrows(PracticeNotFound, { details: { practiceId: PRACTICE_ID } }));
  });

  describe('when it exists', () => {
    it('cannot be created again', () =>
      given(practiceWith()).when(createPractice()).thenThrows(PracticeAlreadyExists, { code: 'PRACTICE_ALREADY_EXISTS' }));

    it('is renamed by an admin', () =>
      given(team).when(updatePractice({ name: 'Harbour Dental' }, by(ADMIN))).then(practiceUpdated({ name: 'Harbour Dental' })));

    it('decides nothing when renamed to its current name', () =>
      given(team).when(updatePractice({ name: PRACTICE_NAME }, by(OWNER))).then());

    it('refuses a rename by staff', () =>
      given(team)
        .when(updatePractice({ name: 'Harbour Dental' }, by(STAFF)))
        .thenThrows(RoleTooLow, { details: { required: 'admin', actual: 'staff' } }));

    it('refuses a rename by someone who is not a member', () =>
      given(team)
        .when(updatePractice({ name: 'Harbour Dental' }, by(NEWCOMER)))
        .thenThrows(RoleTooLow, { details: { required: 'admin', actual: null } }));

    it('refuses a rename by a person without an id', () =>
      given(team).when(updatePractice({ name: 'Harbour Dental' }, by(null))).thenThrows(RoleTooLow));
  });

  describe('when a member is added', () => {
    it.each<Role>(['admin', 'staff', 'viewer'])('an admin adds a new %s', (role) =>
      given(team).when(addMember({ userId: NEWCOMER, role }, by(ADMIN))).then(membershipCreated({ userId: NEWCOMER, role })));

    it('an owner adds another owner', () =>
      given(team)
        .when(addMember({ userId: CO_OWNER, role: 'owner' }, by(OWNER)))
        .then(membershipCreated({ userId: CO_OWNER, role: 'owner' })));

    it('an admin cannot add an owner', () =>
      given(team)
        .when(addMember({ userId: CO_OWNER, role: 'owner' }, by(ADMIN)))
        .thenThrows(RoleTooLow, { details: { required: 'owner', actual: 'admin' } }));

    it.each([
      { actual: 'staff', caller: STAFF },
      { actual: 'viewer', caller: VIEWER },
    ])('refuses a $actual, who is below admin', ({ actual, caller }) =>
      given(team)
        .when(addMember({ userId: NEWCOMER, role: 'viewer' }, by(caller)))
        .thenThrows(RoleTooLow, { details: { required: 'admin', actual } }));

    it('refuses someone who is already a member, whatever the role', () =>
      given(team)
        .when(addMember({ userId: STAFF, role: 'admin' }, by(OWNER)))
        .thenThrows(MemberAlreadyExists, { details: { userId: STAFF } }));

    it('an AI agent acts with its own role', () =>
      given(practiceWith({ [OWNER]: 'owner', 'agent-1': 'admin' }))
        .when(addMember({ userId: NEWCOMER, role: 'staff' }, byAgent('agent-1')))
        .then(membershipCreated({ userId: NEWCOMER, role: 'staff' })));

    it('an AI agent that is not a member is refused', () =>
      given(team).when(addMember({ userId: NEWCOMER, role: 'staff' }, byAgent('agent-1'))).thenThrows(RoleTooLow));
  });

  describe('when a role is changed', () => {
    it('an admin moves staff to viewer', () =>
      given(team)
        .when(changeMemberRole({ userId: STAFF, role: 'viewer' }, by(ADMIN)))
        .then(membershipRoleChanged({ userId: STAFF, role: 'viewer', previousRole: 'staff' })));

    it('refuses a user who is not a member', () =>
      given(team)
        .when(changeMemberRole({ userId: NEWCOMER, role: 'staff' }, by(ADMIN)))
        .thenThrows(MemberNotFound, { details: { userId: NEWCOMER } }));

    it('refuses the role the member already has', () =>
      given(team)
        .when(changeMemberRole({ userId: STAFF, role: 'staff' }, by(OWNER)))
        .thenThrows(RoleUnchanged, { details: { userId: STAFF, role: 'staff' } }));

    it('refuses to demote the last owner', () =>
      given(team)
        .when(changeMemberRole({ userId: OWNER, role: 'admin' }, by(OWNER)))
        .thenThrows(LastOwnerCannotBeDemoted, { details: { userId: OWNER } }));

    it('demotes one of two owners', () =>
      given(practiceWith({ ...TEAM, [CO_OWNER]: 'owner' }))
        .when(changeMemberRole({ userId: CO_OWNER, role: 'admin' }, by(OWNER)))
        .then(membershipRoleChanged({ userId: CO_OWNER, role: 'admin', previousRole: 'owner' })));

    it('an owner grants the owner role', () =>
      given(team)
        .when(changeMemberRole({ userId: ADMIN, role: 'owner' }, by(OWNER)))
        .then(membershipRoleChanged({ userId: ADMIN, role: 'owner', previousRole: 'admin' })));

    it('an admin cannot grant the owner role', () =>
      given(team)
        .when(changeMemberRole({ userId: STAFF, role: 'owner' }, by(ADMIN)))
        .thenThrows(RoleTooLow, { details: { required: 'owner', actual: 'admin' } }));

    it("an admin cannot change an owner's role", () =>
      given(practiceWith({ ...TEAM, [CO_OWNER]: 'owner' }))
        .when(changeMemberRole({ userId: CO_OWNER, role: 'admin' }, by(ADMIN)))
        .thenThrows(RoleTooLow, { details: { required: 'owner', actual: 'admin' } }));

    it.each([
      { actual: 'staff', caller: STAFF, userId: VIEWER, role: 'staff' },
      { actual: 'viewer', caller: VIEWER, userId: STAFF, role: 'viewer' },
    ] as const)('refuses a $actual, who is below admin', ({ actual, caller, userId, role }) =>
      given(team)
        .when(changeMemberRole({ userId, role }, by(caller)))
        .thenThrows(RoleTooLow, { details: { required: 'admin', actual } }));
  });

  // User ids are free text: one that names a property every object inherits is an id like any other.
  describe.each(['toString', 'constructor', '__proto__', 'hasOwnProperty'])('when the user id is %s', (userId) => {
    it('is added as a member', () =>
      given(team).when(addMember({ userId, role: 'viewer' }, by(ADMIN))).then(membershipCreated({ userId, role: 'viewer' })));

    it('is not a member to change the role of until added', () =>
      given(team).when(changeMemberRole({ userId, role: 'staff' }, by(ADMIN))).thenThrows(MemberNotFound, { details: { userId } }));

    it('has its role changed once a member', () =>
      given(practiceWith({ ...TEAM, [userId]: 'viewer' }))
        .when(changeMemberRole({ userId, role: 'staff' }, by(ADMIN)))
        .then(membershipRoleChanged({ userId, role: 'staff', previousRole: 'viewer' })));

    it('acts with no role while not a member', () =>
      given(team).when(updatePractice({ name: 'Taken' }, by(userId))).thenThrows(RoleTooLow, { details: { actual: null } }));
  });

  describe('when in-process automation (a system actor with no user) decides', () => {
    it('adds an owner without being a member', () =>
      given(team)
        .when(addMember({ userId: CO_OWNER, role: 'owner' }, bySystem()))
        .then(membershipCreated({ userId: CO_OWNER, role: 'owner' })));

    it('renames the practice', () =>
      given(team).when(updatePractice({ name: 'Harbour Dental' }, bySystem())).then(practiceUpdated({ name: 'Harbour Dental' })));

    it('still cannot demote the last owner', () =>
      given(team).when(changeMemberRole({ userId: OWNER, role: 'viewer' }, bySystem())).thenThrows(LastOwnerCannotBeDemoted));
  });

  describe('when a user claims the system actor type', () => {
    it.each([
      ['rename the practice as a staff member', updatePractice({ name: 'Taken' }, bySystem(STAFF)), 'admin', 'staff'],
      ['grant the owner role as a staff member', changeMemberRole({ userId: STAFF, role: 'owner' }, bySystem(STAFF)), 'owner', 'staff'],
      ['add an owner as a non-member', addMember({ userId: NEWCOMER, role: 'owner' }, bySystem('ops')), 'owner', null],
    ] as const)('cannot %s: their role is checked like anyone\'s', (_label, command, required, actual) =>
      given(team).when(command).thenThrows(RoleTooLow, { details: { required, actual } }));
  });
});

describe('practiceCommandFor', () => {
  const context = { aggregateId: PRACTICE_ID, metadata: by(OWNER) };

  it.each([
    { event: practiceCreated({ name: 'Harbour Clinic' }), command: createPractice({ name: 'Harbour Clinic' }) },
    { event: practiceUpdated({ name: 'Harbour Dental' }), command: updatePractice({ name: 'Harbour Dental' }) },
    { event: membershipCreated({ userId: STAFF, role: 'staff' }), command: addMember({ userId: STAFF, role: 'staff' }) },
    {
      event: membershipRoleChanged({ userId: STAFF, role: 'viewer', previousRole: 'staff' }),
      command: changeMemberRole({ userId: STAFF, role: 'viewer' }),
    },
  ])('maps $event.type to $command.type', ({ event, command }) => expect(practiceCommandFor(event, context)).toEqual(command));

  it('takes the practice id of a created practice from the stream', () =>
    expect(practiceCommandFor(practiceCreated({ name: 'X' }), { ...context, aggregateId: 'practice-other' }).data).toEqual({
      practiceId: 'practice-other',
      name: 'X',
    }));
});
