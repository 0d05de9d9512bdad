import { deciderSpec } from '../../../event-sourcing/testing/index.js';
import { by, NOW, PRACTICE_ID } from './practice.fixtures.js';
import { createUser, userCommandFor, userCreated, UserAlreadyExists, userDecider, type CreateUser } from './user.js';

const createUserCommand = (data: Partial<CreateUser['data']> = {}): CreateUser => ({
  type: 'CreateUser',
  data: { userId: 'user-nina', name: 'Nina Berg', ...data },
  metadata: by('user-olivia'),
});

const given = deciderSpec(userDecider).given;

describe('User', () => {
  describe('when it does not exist', () => {
    it('is created with a name and an email', () =>
      given()
        .when(createUserCommand({ email: 'nina@example.org' }))
        .then(userCreated({ name: 'Nina Berg', email: 'nina@example.org' })));

    it('is created without an email field when none is given', () =>
      expect(createUser(createUserCommand(), userDecider.initialState)).toStrictEqual([userCreated({ name: 'Nina Berg' })]));
  });

  describe('when it exists', () => {
    it('cannot be created again', () =>
      given(userCreated({ name: 'Nina Berg' }))
        .when(createUserCommand({ name: 'Nina B.' }))
        .thenThrows(UserAlreadyExists, { code: 'USER_ALREADY_EXISTS', details: { userId: 'user-nina' } }));
  });

  describe('userCommandFor', () => {
    it('maps user.created to CreateUser for the stream’s user id', () =>
      expect(
        userCommandFor(userCreated({ name: 'Nina Berg', email: 'nina@example.org' }), {
          aggregateId: 'user-nina',
          metadata: by('user-olivia'),
        }),
      ).toEqual({
        type: 'CreateUser',
        data: { userId: 'user-nina', name: 'Nina Berg', email: 'nina@example.org' },
        metadata: { now: NOW, tenantId: PRACTICE_ID, actor: { type: 'human', id: 'user-olivia' } },
      }));
  });
});
