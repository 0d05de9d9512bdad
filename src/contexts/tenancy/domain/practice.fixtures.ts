import type { CommandMetadata } from '../../../event-sourcing/domain/index.js';
import type { AddMember, ChangeMemberRole, CreatePractice, UpdatePractice } from './practice.commands.js';
import { membershipCreated, practiceCreated, type PracticeEvent } from './practice.events.js';
import type { Role } from './role.js';

export const PRACTICE_ID = 'practice-harbour';
export const PRACTICE_NAME = 'Harbour Clinic';
export const NOW = '2025-03-01T09:00:00.000Z';

export const OWNER = 'user-olivia';
export const CO_OWNER = 'user-otto';
export const ADMIN = 'user-adam';
export const STAFF = 'user-sam';
export const VIEWER = 'user-vera';
export const NEWCOMER = 'user-nina';

/** One member of each role: the practice most rules are checked against. */
export const TEAM: Readonly<Record<string, Role>> = { [OWNER]: 'owner', [ADMIN]: 'admin', [STAFF]: 'staff', [VIEWER]: 'viewer' };

/** Command metadata of a person (time, tenant and actor are what decisions read). */
export const by = (userId: string | null, overrides: Partial<CommandMetadata> = {}): CommandMetadata => ({
  now: NOW,
  tenantId: PRACTICE_ID,
  actor: { type: 'human', id: userId },
  ...overrides,
});

export const byAgent = (userId: string): CommandMetadata => by(userId, { actor: { type: 'ai', id: userId } });

export const bySystem = (id: string | null = null): CommandMetadata => by(id, { actor: { type: 'system', id } });

export const createPractice = (
  data: Partial<CreatePractice['data']> = {},
  metadata: CommandMetadata = by(OWNER),
): CreatePractice => ({
  type: 'CreatePractice',
  data: { practiceId: metadata.tenantId, name: PRACTICE_NAME, ...data },
  metadata,
});

export const updatePractice = (data: UpdatePractice['data'], metadata: CommandMetadata = by(OWNER)): UpdatePractice => ({
  type: 'UpdatePractice',
  data,
  metadata,
});

export const addMember = (data: AddMember['data'], metadata: CommandMetadata = by(OWNER)): AddMember => ({
  type: 'AddMember',
  data,
  metadata,
});

export const changeMemberRole = (
  data: ChangeMemberRole['data'],
  metadata: CommandMetadata = by(OWNER),
): ChangeMemberRole => ({ type: 'ChangeMemberRole', data, metadata });

/** The history of a practice that has exactly these members (in this order). */
export const practiceWith = (
  members: Readonly<Record<string, Role>> = { [OWNER]: 'owner' },
  name: string = PRACTICE_NAME,
): PracticeEvent[] => [
  practiceCreated({ name }),
  ...Object.entries(members).map(([userId, role]) => membershipCreated({ userId, role })),
];
