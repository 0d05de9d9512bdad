import { EventStore1764000000000 } from './1764000000000-event-store.js';

/** Every migration, oldest first. Listed explicitly: ES modules rule out TypeORM's glob loading. */
export const migrations = [EventStore1764000000000];
