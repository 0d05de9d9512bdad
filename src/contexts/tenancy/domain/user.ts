import { type Command, type Decider, type DirectAppendContext, domainError, type DomainEvent } from '../../../event-sourcing/domain/index.js';

/** A person's profile within a practice: the fields every screen shows beside their id. */
export type UserCreated = DomainEvent<'user.created', { readonly name: string; readonly email?: string }>;
export type UserEvent = UserCreated;

export type CreateUser = Command<'CreateUser', { readonly userId: string; readonly name: string; readonly email?: string }>;
export type UserCommand = CreateUser;

export type User = { readonly status: 'none' } | { readonly status: 'created'; readonly name: string };

export class UserAlreadyExists extends domainError('conflict', 'USER_ALREADY_EXISTS') {
  constructor(userId: string) {
    super(`User ${userId} already exists in this practice`, { userId });
  }
}

export const userCreated = (data: UserCreated['data']): UserCreated => ({ type: 'user.created', data });

export const createUser = ({ data }: CreateUser, state: User): UserEvent[] => {
  if (state.status !== 'none') throw new UserAlreadyExists(data.userId);
  return [userCreated(data.email === undefined ? { name: data.name } : { name: data.name, email: data.email })];
};

export const userDecider: Decider<User, UserCommand, UserEvent> = {
  initialState: { status: 'none' },
  decide: createUser,
  evolve: (_state, event) => ({ status: 'created', name: event.data.name }),
};

/** The command that stands behind a `user.created` appended directly (generic events API). */
export const userCommandFor = (event: UserEvent, { aggregateId, metadata }: DirectAppendContext): UserCommand => ({
  type: 'CreateUser',
  data: { userId: aggregateId, ...event.data },
  metadata,
});
