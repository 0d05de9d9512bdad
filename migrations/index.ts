import { EventStore1764000000000 } from './1764000000000-event-store.js';
import { Snapshots1764000000001 } from './1764000000001-snapshots.js';
import { TenancyReadModels1764000000002 } from './1764000000002-tenancy-read-models.js';
import { Reservations1764000000003 } from './1764000000003-reservations.js';
import { AsyncProjections1764000000004 } from './1764000000004-async-projections.js';
import { Occupancy1764000000005 } from './1764000000005-occupancy.js';
import { StreamPartition1764000000007 } from './1764000000007-stream-partition.js';
import { EventsTypeIndex1764000000008 } from './1764000000008-events-type-index.js';
import { CommandIdSecret1764000000009 } from './1764000000009-command-id-secret.js';
import { IdempotencyKeyExpiry1764000000010 } from './1764000000010-idempotency-key-expiry.js';

/** Every migration, oldest first. Listed explicitly: ES modules rule out TypeORM's glob loading. */
export const migrations = [
  EventStore1764000000000,
  Snapshots1764000000001,
  TenancyReadModels1764000000002,
  Reservations1764000000003,
  AsyncProjections1764000000004,
  Occupancy1764000000005,
  StreamPartition1764000000007,
  EventsTypeIndex1764000000008,
  CommandIdSecret1764000000009,
  IdempotencyKeyExpiry1764000000010,
];
