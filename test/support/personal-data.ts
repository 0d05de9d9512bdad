import type { Pool } from 'pg';
import { PersonalData } from '../../src/event-sourcing/personal-data/personal-data.js';
import type { PostgresSubjectKeys } from '../../src/event-sourcing/personal-data/postgres-subject-keys.js';
import { SubjectForgetting } from '../../src/event-sourcing/personal-data/subject-forgetting.js';
import type { EventRegistry } from '../../src/event-sourcing/store/event-registry.js';

/** The tests' master key for subjects' keys (the app's comes from KEY_ENCRYPTION_KEY). */
export const TEST_MASTER_KEY = Buffer.alloc(32, 11);

/** Personal fields sealed and opened with keys in the test database, as the app does. */
export const personalDataOn = (pool: Pool, registry: EventRegistry): PersonalData =>
  PersonalData.onPostgres(pool, registry, TEST_MASTER_KEY);

/** Forgets subjects whose keys `personalData` keeps (made by `personalDataOn`), redacting no read model. */
export const forgettingOn = (pool: Pool, personalData: PersonalData): SubjectForgetting =>
  new SubjectForgetting(pool, personalData.keys as PostgresSubjectKeys, () => []);
