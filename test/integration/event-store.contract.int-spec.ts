import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import type pg from 'pg';
import type { ActorType, NewEvent, RecordedEvent, StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import { EventRegistry } from '../../src/event-sourcing/store/event-registry.js';
import type { EventStore, GlobalPage } from '../../src/event-sourcing/store/event-store.js';
import {
  ConcurrencyError,
  EventIdReused,
  InvalidAppendRequest,
  InvalidEventPayload,
  UnknownEventType,
} from '../../src/event-sourcing/store/event-store.errors.js';
import type { ExpectedVersion } from '../../src/event-sourcing/store/expected-version.js';
import { InMemoryEventLog, InMemoryEventStore } from '../../src/event-sourcing/store/in-memory-event-store.js';
import { LOG_START, type LogCursor } from '../../src/event-sourcing/store/log-cursor.js';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import { InMemorySubjectKeys } from '../../src/event-sourcing/personal-data/in-memory-subject-keys.js';
import { KeyWrapping } from '../../src/event-sourcing/personal-data/key-wrapping.js';
import { PersonalData } from '../../src/event-sourcing/personal-data/personal-data.js';
import { REDACTED, type PersonalFieldsView } from '../../src/event-sourcing/personal-data/personal-fields.js';
import { PostgresSubjectKeys } from '../../src/event-sourcing/personal-data/postgres-subject-keys.js';
import { SubjectForgetting } from '../../src/event-sourcing/personal-data/subject-forgetting.js';
import { TEST_MASTER_KEY } from '../support/personal-data.js';
import { createTestDatabase } from '../support/test-database.js';


class Guest {
  @IsString() name!: string;
}

class RoomBooked {
  @IsString() roomId!: string;
  @IsInt() @Min(1) nights!: number;
  @ValidateNested() @Type(() => Guest) guest!: Guest;
}

class RoomCleaned {
  @IsString() roomId!: string;
}

class GuestRegisteredV1 {
  @IsString() name!: string;
}

class GuestRegisteredV3 {
  @IsString() fullName!: string;
  @IsBoolean() vip!: boolean;
}

class GuestCheckedIn {
  @IsOptional() @IsString() guestId?: string;
  @IsString() roomId!: string;
  @IsString() name!: string;
  @IsOptional() @IsString() email?: string;
  @IsOptional() @IsInt() age?: number;
}

const roomTypes = [
  { type: 'room.booked', payload: RoomBooked },
  { type: 'room.cleaned', payload: RoomCleaned },
  { type: 'guest.checked_in', payload: GuestCheckedIn, personal: { subject: 'guestId', fields: ['name', 'email', 'age'] } },
];

/** The registry as it was when `guest.registered` was at v1 `{ name }`. */
const v1Registry = () =>
  new EventRegistry().register(...roomTypes, { type: 'guest.registered', payload: GuestRegisteredV1 });

/** Today's registry: `guest.registered` is at v3 `{ fullName, vip }`. */
const currentRegistry = () =>
  new EventRegistry().register(...roomTypes, {
    type: 'guest.registered',
    payload: GuestRegisteredV3,
    schemaVersion: 3,
    upcasters: [
      { from: 1, upcast: ({ name, ...rest }) => ({ ...rest, fullName: name }) },
      { from: 2, upcast: (data) => ({ ...data, vip: false }) },
    ],
  });


const receptionist = { type: 'human', id: 'user-17' } as const;

const roomBooked = (data: Record<string, unknown> = {}, envelope: Partial<NewEvent> = {}): NewEvent => ({
  type: 'room.booked',
  data: { roomId: '101', nights: 2, guest: { name: 'Ada' }, ...data },
  metadata: { actor: receptionist },
  ...envelope,
});

const roomCleaned = (roomId = '101', envelope: Partial<NewEvent> = {}): NewEvent => ({
  type: 'room.cleaned',
  data: { roomId },
  metadata: { actor: receptionist },
  ...envelope,
});

const freshTenant = () => `tenant-${randomUUID()}`;
const freshStream = (tenantId = freshTenant(), aggregateType = 'room'): StreamId => ({
  tenantId,
  aggregateType,
  aggregateId: `room-${randomUUID()}`,
});

const idsOf = (events: readonly RecordedEvent[]) => events.map((e) => e.eventId);
const versionsOf = (events: readonly RecordedEvent[]) => events.map((e) => e.version);
const cursorOf = (event: RecordedEvent): LogCursor => ({ transactionId: event.transactionId, position: event.position });

const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to be refused');
};

/** Pages the global log from `after` to its end. */
const readLogFrom = async (
  store: EventStore,
  after: LogCursor = LOG_START,
  limit = 1_000,
  personalFields?: PersonalFieldsView,
): Promise<RecordedEvent[]> => {
  const events: RecordedEvent[] = [];
  for (let cursor = after; ; ) {
    const page = await store.readAll({ after: cursor, limit, personalFields });
    if (page.events.length === 0) return events;
    events.push(...page.events);
    cursor = page.cursor;
  }
};


/** Storage that several stores can share, each with its own registry. */
interface Backend {
  store(registry?: EventRegistry): EventStore;
  /**
   * Waits until the global log shows every committed event. PostgreSQL reads stop below the
   * oldest open transaction of the whole server, so test files writing in parallel in other
   * databases can hold the fence for a moment.
   */
  settle(): Promise<void>;
  /** Forgets a subject (deletes its keys) as the app does. */
  forget(tenantId: string, subjectId: string): Promise<void>;
  /** An event's data exactly as stored. */
  storedData(eventId: string): Promise<unknown>;
  close(): Promise<void>;
}

const untilNothingFenced = async (pool: pg.Pool): Promise<void> => {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { rows } = await pool.query<{ fenced: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM events WHERE transaction_id >= pg_snapshot_xmin(pg_current_snapshot())) AS fenced`,
    );
    if (!rows[0].fenced) return;
    if (Date.now() > deadline) throw new Error('the global log stayed fenced for 15 s');
    await sleep(10);
  }
};

const backends: { name: string; open: () => Promise<Backend> }[] = [
  {
    name: 'in-memory',
    open: async () => {
      const log = new InMemoryEventLog();
      const keys = new InMemorySubjectKeys();
      return {
        store: (registry = currentRegistry()) => new InMemoryEventStore(registry, log, keys),
        settle: async () => undefined,
        forget: async (tenantId, subjectId) => void keys.forget(tenantId, subjectId),
        storedData: async (eventId) => structuredClone(log.byId.get(eventId)?.data),
        close: async () => undefined,
      };
    },
  },
  {
    name: 'PostgreSQL',
    open: async () => {
      const db = await createTestDatabase();
      const keys = new PostgresSubjectKeys(db.pool, new KeyWrapping(TEST_MASTER_KEY));
      const forgetting = new SubjectForgetting(db.pool, keys, () => []);
      return {
        store: (registry = currentRegistry()) =>
          new PostgresEventStore(db.pool, registry, undefined, { personalData: new PersonalData(registry, keys) }),
        settle: () => untilNothingFenced(db.pool),
        forget: async (tenantId, subjectId) => void (await forgetting.forget(tenantId, subjectId, receptionist)),
        storedData: async (eventId) =>
          (await db.pool.query<{ data: unknown }>(`SELECT data FROM events WHERE event_id = $1`, [eventId])).rows[0]?.data,
        close: () => {
          // drop() ends the pool before its connections have closed, and DROP DATABASE ... WITH (FORCE)
          // may then terminate one whose error reaches a pool nobody listens to any more.
          db.pool.on('error', () => undefined);
          return db.drop();
        },
      };
    },
  },
];

describe.each(backends)('$name event store', ({ open }) => {
  let backend: Backend;
  let store: EventStore;
  beforeAll(async () => {
    backend = await open();
    store = backend.store();
  });
  afterAll(() => backend.close());

  describe('when appending one event to a new stream', () => {
    it('records it at version 1 with its envelope', async () => {
      const stream = freshStream();
      const occurredAt = new Date('2026-03-01T09:30:00.250Z');
      const metadata = {
        actor: { type: 'ai', id: 'agent-7' },
        correlationId: 'corr-1',
        causationId: 'cause-1',
        commandId: 'cmd-1',
        requestId: 'req-1',
      } as const;
      const eventId = randomUUID();
      const before = Date.now();

      const result = await store.append(stream, [roomBooked({ nights: 3 }, { eventId, metadata, occurredAt })]);

      expect(result.duplicate).toBe(false);
      expect(result.nextExpectedVersion).toBe(1);
      const expected = {
        ...stream,
        eventId,
        version: 1,
        type: 'room.booked',
        schemaVersion: 1,
        data: { roomId: '101', nights: 3, guest: { name: 'Ada' } },
        metadata,
        occurredAt,
      };
      expect(result.events).toEqual([expect.objectContaining(expected)]);
      const stored = await store.readStream(stream);
      expect(stored).toEqual([expect.objectContaining(expected)]);
      expect(stored[0]).toEqual(result.events[0]);
      expect(stored[0].position).toBeGreaterThan(0);
      expect(stored[0].transactionId).toMatch(/^\d+$/);
      expect(stored[0].recordedAt.getTime()).toBeGreaterThanOrEqual(before - 1_000);
      expect(stored[0].recordedAt.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
    });

    it('generates the event id and sets occurredAt to the append time when omitted', async () => {
      const stream = freshStream();
      const before = Date.now();
      const { events } = await store.append(stream, [roomCleaned()]);
      const after = Date.now();
      const [stored] = await store.readStream(stream);
      expect(stored.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(stored.eventId).toBe(events[0].eventId);
      expect(stored.occurredAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(stored.occurredAt.getTime()).toBeLessThanOrEqual(after);
    });

    it('keeps a system actor without an id', async () => {
      const stream = freshStream();
      await store.append(stream, [roomCleaned('102', { metadata: { actor: { type: 'system', id: null } } })]);
      const [stored] = await store.readStream(stream);
      expect(stored.metadata).toEqual({ actor: { type: 'system', id: null } });
    });
  });

  describe('when appending several events at once', () => {
    it('numbers them 1..n in order with increasing positions', async () => {
      const stream = freshStream();
      const batch = [roomBooked(), roomCleaned('101'), roomCleaned('102'), roomCleaned('103')];

      const result = await store.append(stream, batch);

      expect(result.nextExpectedVersion).toBe(4);
      expect(versionsOf(result.events)).toEqual([1, 2, 3, 4]);
      const stored = await store.readStream(stream);
      expect(versionsOf(stored)).toEqual([1, 2, 3, 4]);
      expect(idsOf(stored)).toEqual(idsOf(result.events));
      expect(stored.map((e) => e.data)).toEqual(batch.map((e) => e.data));
      const positions = stored.map((e) => e.position);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      expect(new Set(positions).size).toBe(4);
      expect(new Set(stored.map((e) => e.transactionId)).size).toBe(1);
      expect(result.events).toEqual(stored);
    });

    it('continues the numbering and the positions on the next append', async () => {
      const stream = freshStream();
      const first = await store.append(stream, [roomBooked(), roomCleaned()]);
      const second = await store.append(stream, [roomCleaned(), roomCleaned()]);
      expect(versionsOf(second.events)).toEqual([3, 4]);
      expect(second.nextExpectedVersion).toBe(4);
      expect(second.events[0].position).toBeGreaterThan(first.events[1].position);
      expect(await store.streamVersion(stream)).toBe(4);
    });
  });

  describe('when streams differ only by tenant or aggregate type', () => {
    it('keeps them apart', async () => {
      const a = freshStream();
      const b = { ...a, tenantId: freshTenant() };
      const c = { ...a, aggregateType: 'guest' };
      await store.append(a, [roomBooked(), roomCleaned()]);
      await store.append(b, [roomCleaned()]);
      expect(await store.streamVersion(a)).toBe(2);
      expect(await store.streamVersion(b)).toBe(1);
      expect(await store.streamVersion(c)).toBe(0);
      expect((await store.readStream(b)).map((e) => e.tenantId)).toEqual([b.tenantId]);
    });
  });

  describe('when the expected version is met', () => {
    it.each<[string, number, ExpectedVersion]>([
      ['any on a new stream', 0, 'any'],
      ['any on an existing stream', 2, 'any'],
      ['no_stream on a new stream', 0, 'no_stream'],
      ['stream_exists on an existing stream', 2, 'stream_exists'],
      ['0 on a new stream', 0, 0],
      ['the current version', 2, 2],
      ['the current version of a long stream', 300, 300],
    ])('appends with %s', async (_case, existing, expectedVersion) => {
      const stream = freshStream();
      if (existing > 0) await store.append(stream, Array.from({ length: existing }, () => roomCleaned()));
      const result = await store.append(stream, [roomCleaned('201')], { expectedVersion });
      expect(versionsOf(result.events)).toEqual([existing + 1]);
      expect(await store.streamVersion(stream)).toBe(existing + 1);
    });
  });

  describe('when the expected version is not met', () => {
    it.each<[string, number, ExpectedVersion]>([
      ['no_stream on an existing stream', 2, 'no_stream'],
      ['stream_exists on a new stream', 0, 'stream_exists'],
      ['an older version', 2, 1],
      ['a newer version', 2, 3],
      ['a version on a new stream', 0, 1],
      ['0 on an existing stream', 2, 0],
      ['a version far ahead', 2, 40],
      ['a version far behind on a long stream', 300, 7],
    ])('refuses %s with a ConcurrencyError and writes nothing, one event or a batch', async (_case, existing, expectedVersion) => {
      const stream = freshStream();
      if (existing > 0) await store.append(stream, Array.from({ length: existing }, () => roomCleaned()));
      const before = await store.readStream(stream);

      for (const events of [[roomCleaned('201')], [roomCleaned('201'), roomCleaned('202')]]) {
        const error = await rejectionOf(store.append(stream, events, { expectedVersion }));
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error).toMatchObject({ code: 'CONCURRENCY_CONFLICT', stream, expectedVersion, actualVersion: existing });
      }
      expect(await store.readStream(stream)).toEqual(before);
      expect(await store.streamVersion(stream)).toBe(existing);
    });
  });

  describe('when an event is looked up by id', () => {
    it('finds the stored event, and null for an unknown or malformed id', async () => {
      const stream = freshStream();
      const [stored] = (await store.append(stream, [roomCleaned()])).events;

      expect(await store.findEvent(stored.eventId)).toEqual(stored);
      expect(await store.findEvent('00000000-0000-4000-8000-000000000000')).toBeNull();
      expect(await store.findEvent('not-a-uuid')).toBeNull();
    });
  });

  describe('when the expected version is not a version', () => {
    it.each<[string, unknown]>([
      ['a negative number', -1],
      ['a fraction', 1.5],
      ['an unknown keyword', 'latest'],
    ])('refuses %s with InvalidAppendRequest and writes nothing', async (_case, expectedVersion) => {
      const stream = freshStream();
      await store.append(stream, [roomCleaned()]);

      const error = await rejectionOf(
        store.append(stream, [roomCleaned('201')], { expectedVersion: expectedVersion as ExpectedVersion }),
      );

      expect(error).toBeInstanceOf(InvalidAppendRequest);
      expect(await store.streamVersion(stream)).toBe(1);
    });
  });

  describe('when one event of a batch is invalid', () => {
    it('writes none of the batch', async () => {
      const stream = freshStream();
      await store.append(stream, [roomBooked()]);
      const before = await store.readStream(stream);

      const error = await rejectionOf(
        store.append(stream, [roomCleaned('201'), roomBooked({ nights: 'two' }), roomCleaned('203')], {
          expectedVersion: 1,
        }),
      );

      expect(error).toBeInstanceOf(InvalidEventPayload);
      expect(await store.readStream(stream)).toEqual(before);
      expect(await store.streamVersion(stream)).toBe(1);
    });
  });

  describe('when an append is retried with the same event ids', () => {
    it('returns the stored events as a duplicate and appends nothing', async () => {
      const stream = freshStream();
      const batch = [roomBooked({}, { eventId: randomUUID() }), roomCleaned('101', { eventId: randomUUID() })];
      const original = await store.append(stream, batch, { expectedVersion: 'no_stream' });
      await store.append(stream, [roomCleaned('102')]);

      const retry = await store.append(stream, batch, { expectedVersion: 'no_stream' });

      expect(retry.duplicate).toBe(true);
      expect(retry.nextExpectedVersion).toBe(2);
      expect(retry.events).toEqual(original.events);
      expect(await store.streamVersion(stream)).toBe(3);
    });

    it('still succeeds when its exact expected version is now stale', async () => {
      const stream = freshStream();
      const batch = [roomCleaned('101', { eventId: randomUUID() })];
      const original = await store.append(stream, batch, { expectedVersion: 0 });

      const retry = await store.append(stream, batch, { expectedVersion: 0 });

      expect(retry).toEqual({ duplicate: true, nextExpectedVersion: 1, events: original.events });
      expect(idsOf(await store.readStream(stream))).toEqual(idsOf(original.events));
    });

    it('matches ids regardless of letter case', async () => {
      const stream = freshStream();
      const eventId = randomUUID();
      await store.append(stream, [roomCleaned('101', { eventId })]);
      const retry = await store.append(stream, [roomCleaned('101', { eventId: eventId.toUpperCase() })]);
      expect(retry.duplicate).toBe(true);
      expect(idsOf(retry.events)).toEqual([eventId]);
      expect(await store.streamVersion(stream)).toBe(1);
    });
  });

  describe('when an event id is reused for something else', () => {
    it('refuses it on another stream', async () => {
      const eventId = randomUUID();
      await store.append(freshStream(), [roomCleaned('101', { eventId })]);
      const other = freshStream();

      const error = await rejectionOf(store.append(other, [roomCleaned('101', { eventId })]));

      expect(error).toBeInstanceOf(EventIdReused);
      expect(error).toMatchObject({ code: 'EVENT_ID_REUSED', eventIds: [eventId] });
      expect(await store.streamVersion(other)).toBe(0);
    });

    it('refuses it with another type on the same stream', async () => {
      const stream = freshStream();
      const eventId = randomUUID();
      await store.append(stream, [roomCleaned('101', { eventId })]);
      expect(await rejectionOf(store.append(stream, [roomBooked({}, { eventId })]))).toBeInstanceOf(EventIdReused);
      expect(await store.streamVersion(stream)).toBe(1);
    });

    it('refuses a batch where only some ids are stored, writing none of it', async () => {
      const stream = freshStream();
      const stored = randomUUID();
      const fresh = randomUUID();
      await store.append(stream, [roomCleaned('101', { eventId: stored })]);

      const error = await rejectionOf(
        store.append(stream, [roomCleaned('101', { eventId: stored }), roomCleaned('102', { eventId: fresh })]),
      );

      expect(error).toBeInstanceOf(EventIdReused);
      expect((error as EventIdReused).eventIds).toEqual([stored, fresh]);
      expect(idsOf(await store.readStream(stream))).toEqual([stored]);
    });
  });

  describe('when the event type is not registered', () => {
    it('refuses it, naming the type, and writes nothing', async () => {
      const stream = freshStream();
      const error = await rejectionOf(
        store.append(stream, [roomCleaned(), { ...roomCleaned(), type: 'room.painted', data: { colour: 'blue' } }]),
      );
      expect(error).toBeInstanceOf(UnknownEventType);
      expect(error).toMatchObject({ code: 'UNKNOWN_EVENT_TYPE', eventType: 'room.painted' });
      expect((error as Error).message).toContain('"room.painted"');
      expect(await store.streamVersion(stream)).toBe(0);
    });
  });

  describe('when a payload is invalid', () => {
    it.each<[string, Record<string, unknown>, string[]]>([
      ['a field of the wrong type', { nights: 'two' }, ['nights']],
      ['a missing field', { roomId: undefined }, ['roomId']],
      ['an unknown extra field', { price: 90 }, ['price']],
      ['a bad nested field', { guest: { name: 42 } }, ['guest.name']],
      ['an unknown nested field', { guest: { name: 'Ada', vip: true } }, ['guest.vip']],
      ['several bad fields', { roomId: 7, nights: 0, price: 90, guest: {} }, ['guest.name', 'nights', 'price', 'roomId']],
    ])('refuses %s, naming the type and each field', async (_case, data, fields) => {
      const stream = freshStream();

      const error = await rejectionOf(store.append(stream, [roomBooked(data)]));

      expect(error).toBeInstanceOf(InvalidEventPayload);
      const invalid = error as InvalidEventPayload;
      expect(invalid.code).toBe('INVALID_EVENT_PAYLOAD');
      expect(invalid.eventType).toBe('room.booked');
      expect(invalid.violations.map((v) => v.field).sort()).toEqual(fields);
      expect(invalid.message).toContain('"room.booked"');
      for (const field of fields) expect(invalid.message).toContain(`${field} (`);
      expect(await store.streamVersion(stream)).toBe(0);
    });
  });

  describe('when the actor type is not one of human, ai, system', () => {
    it('refuses the append and writes nothing', async () => {
      const stream = freshStream();
      const robot = { actor: { type: 'robot' as ActorType, id: 'r2' } };

      const error = await rejectionOf(store.append(stream, [roomCleaned('101', { metadata: robot })]));

      expect(error).toBeInstanceOf(InvalidAppendRequest);
      expect(error).toMatchObject({ code: 'INVALID_APPEND_REQUEST' });
      expect((error as Error).message).toContain('metadata.actor.type must be one of human, ai, system');
      expect(await store.streamVersion(stream)).toBe(0);
    });
  });

  describe('when reading a stream of five events', () => {
    const stream = freshStream();
    let all: RecordedEvent[];
    beforeAll(async () => {
      await store.append(stream, [roomBooked(), roomCleaned('101'), roomCleaned('102')]);
      await store.append(stream, [roomCleaned('103'), roomCleaned('104')]);
      all = await store.readStream(stream);
    });

    it('reads them forward by default', () => {
      expect(versionsOf(all)).toEqual([1, 2, 3, 4, 5]);
      expect(all.map((e) => e.type)).toEqual(['room.booked', ...Array<string>(4).fill('room.cleaned')]);
    });

    it('reads forward from a version', async () => {
      expect(versionsOf(await store.readStream(stream, { fromVersion: 3 }))).toEqual([3, 4, 5]);
    });

    it('reads up to a version', async () => {
      expect(versionsOf(await store.readStream(stream, { toVersion: 2 }))).toEqual([1, 2]);
      expect(versionsOf(await store.readStream(stream, { fromVersion: 2, toVersion: 4 }))).toEqual([2, 3, 4]);
    });

    it('reads forward with a limit', async () => {
      expect(versionsOf(await store.readStream(stream, { fromVersion: 2, limit: 2 }))).toEqual([2, 3]);
    });

    it('reads backward from the end', async () => {
      expect(versionsOf(await store.readStream(stream, { direction: 'backward' }))).toEqual([5, 4, 3, 2, 1]);
    });

    it('reads backward from a version with a limit', async () => {
      expect(versionsOf(await store.readStream(stream, { direction: 'backward', fromVersion: 4 }))).toEqual([4, 3, 2, 1]);
      const limited = await store.readStream(stream, { direction: 'backward', fromVersion: 4, limit: 2 });
      expect(versionsOf(limited)).toEqual([4, 3]);
    });

    it('reads nothing past the end', async () => {
      expect(await store.readStream(stream, { fromVersion: 6 })).toEqual([]);
    });

    it('knows its version', async () => {
      expect(await store.streamVersion(stream)).toBe(5);
    });
  });

  describe('when reading a stream that does not exist', () => {
    it('reads nothing and is at version 0', async () => {
      const stream = freshStream();
      expect(await store.readStream(stream)).toEqual([]);
      expect(await store.readStream(stream, { direction: 'backward' })).toEqual([]);
      expect(await store.streamVersion(stream)).toBe(0);
    });
  });

  describe('when reading a stream up to a time', () => {
    const stream = freshStream();
    let early: RecordedEvent[];
    let late: readonly RecordedEvent[];
    beforeAll(async () => {
      early = [
        ...(await store.append(stream, [roomBooked()])).events,
        ...(await store.append(stream, [roomCleaned('101')])).events,
      ];
      await sleep(20);
      late = (await store.append(stream, [roomCleaned('102'), roomCleaned('103')])).events;
    });

    it('includes the events recorded at exactly that time', async () => {
      const until = early[1].recordedAt;
      expect(idsOf(await store.readStream(stream, { until }))).toEqual(idsOf(early));
    });

    it('excludes events recorded after it', async () => {
      const until = new Date(late[0].recordedAt.getTime() - 1);
      expect(versionsOf(await store.readStream(stream, { until }))).toEqual([1, 2]);
    });

    it('reads everything up to a time after the last event', async () => {
      expect(versionsOf(await store.readStream(stream, { until: new Date(Date.now() + 60_000) }))).toEqual([1, 2, 3, 4]);
    });

    it('reads nothing up to a time before the first event', async () => {
      expect(await store.readStream(stream, { until: new Date(early[0].recordedAt.getTime() - 1) })).toEqual([]);
    });

    it('combines with backward reading and a limit', async () => {
      const until = early[1].recordedAt;
      expect(versionsOf(await store.readStream(stream, { until, direction: 'backward', limit: 1 }))).toEqual([2]);
    });
  });

  describe('when reading by type', () => {
    const tenant = freshTenant();
    const otherTenant = freshTenant();
    let cleanings: RecordedEvent[];
    beforeAll(async () => {
      const first = freshStream(tenant);
      const second = freshStream(tenant);
      const r1 = await store.append(first, [roomBooked(), roomCleaned('101'), roomCleaned('102')]);
      await store.append(freshStream(otherTenant), [roomCleaned('101'), roomCleaned('999')]);
      const r2 = await store.append(second, [roomCleaned('201')]);
      await store.append(freshStream(otherTenant), [roomCleaned('998')]);
      const r3 = await store.append(first, [roomBooked(), roomCleaned('103'), roomCleaned('104')]);
      cleanings = [...r1.events, ...r2.events, ...r3.events].filter((e) => e.type === 'room.cleaned');
      await backend.settle();
    });

    it("returns the tenant's events of that type in log order, and no other tenant's", async () => {
      const events = await store.readByType(tenant, 'room.cleaned');
      expect(idsOf(events)).toEqual(idsOf(cleanings));
      expect(events.map((e) => e.data)).toEqual(['101', '102', '201', '103', '104'].map((roomId) => ({ roomId })));
      expect(new Set(events.map((e) => e.tenantId))).toEqual(new Set([tenant]));
    });

    it('pages with a limit and a cursor, then returns nothing', async () => {
      const pages: string[][] = [];
      let after: LogCursor | undefined;
      for (let page = await store.readByType(tenant, 'room.cleaned', { limit: 2 }); page.length > 0; ) {
        pages.push(idsOf(page));
        after = cursorOf(page.at(-1)!);
        page = await store.readByType(tenant, 'room.cleaned', { after, limit: 2 });
      }
      const ids = idsOf(cleanings);
      expect(pages).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);
    });

    it('returns nothing for a type the tenant has no events of', async () => {
      expect(await store.readByType(tenant, 'guest.registered')).toEqual([]);
      expect(await store.readByType(freshTenant(), 'room.cleaned')).toEqual([]);
    });
  });

  describe('when reading a correlation', () => {
    const tenant = freshTenant();
    const inProcess = (correlationId: string) => ({ metadata: { actor: receptionist, correlationId } });
    let process: RecordedEvent[];
    beforeAll(async () => {
      const first = await store.append(freshStream(tenant), [roomBooked({}, inProcess('p-1')), roomCleaned('101')]);
      await store.append(freshStream(freshTenant()), [roomCleaned('101', inProcess('p-1'))]);
      const second = await store.append(freshStream(tenant), [roomCleaned('102', inProcess('p-1')), roomCleaned('103', inProcess('p-2'))]);
      process = [first.events[0], second.events[0]];
      await backend.settle();
    });

    it("returns the tenant's events of that process, in log order, across streams, and no other tenant's", async () => {
      expect(idsOf(await store.readCorrelation(tenant, 'p-1'))).toEqual(idsOf(process));
    });

    it('stops at the limit, and finds nothing for an unknown process', async () => {
      expect(idsOf(await store.readCorrelation(tenant, 'p-1', { limit: 1 }))).toEqual(idsOf(process.slice(0, 1)));
      expect(await store.readCorrelation(tenant, 'p-404')).toEqual([]);
    });
  });

  describe('when paging the global log', () => {
    // Its own storage, so the log holds exactly what this block appends.
    let log: Backend;
    let logStore: EventStore;
    let emptyLogPage: GlobalPage;
    let appended: RecordedEvent[];
    beforeAll(async () => {
      log = await open();
      logStore = log.store();
      emptyLogPage = await logStore.readAll();
      const tenant = freshTenant();
      appended = [
        ...(await logStore.append(freshStream(tenant), [roomBooked(), roomCleaned()])).events,
        ...(await logStore.append(freshStream(freshTenant()), [roomCleaned('201')])).events,
        ...(await logStore.append(freshStream(tenant), [roomBooked(), roomCleaned(), roomCleaned('102')])).events,
      ];
      await log.settle();
    });
    afterAll(() => log.close());

    it('reads an empty page at the start of an empty log', () => {
      expect(emptyLogPage).toEqual({ events: [], cursor: LOG_START });
    });

    it('reads every event in append order, page by page, from the start', async () => {
      const first = await logStore.readAll({ limit: 4 });
      const second = await logStore.readAll({ after: first.cursor, limit: 4 });
      const third = await logStore.readAll({ after: second.cursor, limit: 4 });

      expect(idsOf(first.events)).toEqual(idsOf(appended.slice(0, 4)));
      expect(first.cursor).toEqual(cursorOf(appended[3]));
      expect(idsOf(second.events)).toEqual(idsOf(appended.slice(4)));
      expect(second.cursor).toEqual(cursorOf(appended[5]));
      expect(third).toEqual({ events: [], cursor: second.cursor });
      expect([...first.events, ...second.events]).toEqual(appended);
    });

    it('reads from a cursor only what follows it', async () => {
      const page = await logStore.readAll({ after: cursorOf(appended[2]), limit: 2 });
      expect(idsOf(page.events)).toEqual(idsOf(appended.slice(3, 5)));
      expect(page.cursor).toEqual(cursorOf(appended[4]));
    });

    it('keeps the cursor when a page comes back empty, and continues from it once more is appended', async () => {
      const end = cursorOf(appended.at(-1)!);
      const empty = await logStore.readAll({ after: end });
      expect(empty).toEqual({ events: [], cursor: end });

      const { events } = await logStore.append(freshStream(), [roomCleaned('301')]);
      await log.settle();
      const next = await logStore.readAll({ after: empty.cursor });
      expect(idsOf(next.events)).toEqual(idsOf(events));
      expect(next.cursor).toEqual(cursorOf(events[0]));
    });

    it('reads 100 events per page by default', async () => {
      const before = (await readLogFrom(logStore)).length;
      const stream = freshStream();
      for (let i = 0; i < 3; i++) await logStore.append(stream, Array.from({ length: 40 }, () => roomCleaned()));
      await log.settle();
      expect((await logStore.readAll()).events).toHaveLength(100);
      expect(await readLogFrom(logStore)).toHaveLength(before + 120);
    });
  });

  describe('when an event was stored at an older schema version', () => {
    const stream = freshStream();
    let storedV1: RecordedEvent;
    let reader: EventStore;
    beforeAll(async () => {
      const writerV1 = backend.store(v1Registry());
      const registered = { type: 'guest.registered', data: { name: 'Ada Lovelace' }, metadata: { actor: receptionist } };
      [storedV1] = (await writerV1.append(stream, [registered])).events;
      reader = backend.store(currentRegistry());
      await backend.settle();
    });
    const upcast = { type: 'guest.registered', schemaVersion: 3, data: { fullName: 'Ada Lovelace', vip: false } };

    it('was written at v1', () => {
      expect(storedV1).toMatchObject({ schemaVersion: 1, data: { name: 'Ada Lovelace' } });
    });

    it('reads it upcast to v3 from the stream', async () => {
      expect(await reader.readStream(stream)).toEqual([{ ...storedV1, ...upcast }]);
    });

    it('reads it upcast to v3 by type', async () => {
      expect(await reader.readByType(stream.tenantId, 'guest.registered')).toEqual([{ ...storedV1, ...upcast }]);
    });

    it('reads it upcast to v3 from the global log', async () => {
      const found = (await readLogFrom(reader)).filter((e) => e.eventId === storedV1.eventId);
      expect(found).toEqual([{ ...storedV1, ...upcast }]);
    });

    it('returns it upcast when the append is retried', async () => {
      const retry = await reader.append(stream, [
        {
          eventId: storedV1.eventId,
          type: 'guest.registered',
          data: { fullName: 'Ada Lovelace', vip: false },
          metadata: { actor: receptionist },
        },
      ]);
      expect(retry).toEqual({ duplicate: true, nextExpectedVersion: 1, events: [{ ...storedV1, ...upcast }] });
    });

    it('still reads it at v1 through the old registry', async () => {
      expect(await backend.store(v1Registry()).readStream(stream)).toEqual([storedV1]);
    });

    it('stores new events at v3 beside it', async () => {
      const { events } = await reader.append(stream, [
        { type: 'guest.registered', data: { fullName: 'Grace Hopper', vip: true }, metadata: { actor: receptionist } },
      ]);
      expect(await reader.readStream(stream, { fromVersion: 2 })).toEqual(events);
      expect(events[0]).toMatchObject({ schemaVersion: 3, data: { fullName: 'Grace Hopper', vip: true } });
    });
  });

  describe('when events hold personal fields', () => {
    const checkedIn = (guestId: string | undefined, data: Record<string, unknown> = {}): NewEvent => ({
      type: 'guest.checked_in',
      data: { guestId, roomId: '101', name: 'Ada Lovelace', email: 'ada@example.org', age: 36, ...data },
      metadata: { actor: receptionist, correlationId: 'stay-1' },
    });
    const everyRead = async (stream: StreamId, eventId: string): Promise<unknown[]> => {
      await backend.settle();
      const log = await readLogFrom(store);
      return [
        (await store.readStream(stream))[0].data,
        (await store.findEvent(eventId))!.data,
        (await store.readByType(stream.tenantId, 'guest.checked_in'))[0].data,
        (await store.readCorrelation(stream.tenantId, 'stay-1'))[0].data,
        (await store.readSubject(stream.tenantId, 'guest-1'))[0].data,
        log.find((e) => e.eventId === eventId)!.data,
      ];
    };

    it('stores them sealed and reads them back as appended, everywhere', async () => {
      const stream = freshStream();
      const { events } = await store.append(stream, [checkedIn('guest-1')]);
      const appended = { guestId: 'guest-1', roomId: '101', name: 'Ada Lovelace', email: 'ada@example.org', age: 36 };
      expect(events[0].data).toEqual(appended);
      const stored = (await backend.storedData(events[0].eventId)) as Record<string, unknown>;
      expect(stored).toEqual({
        guestId: 'guest-1',
        roomId: '101',
        '~personal': { fields: ['name', 'email', 'age'], sealed: expect.stringMatching(/^pd:1:/) },
      });
      // Everything outside the box is pinned above; inside it, only ciphertext. (The key id and
      // base64 are random text, so a plain "not containing 36" over the whole JSON can fail by chance.)
      const box = Buffer.from(String((stored['~personal'] as { sealed: string }).sealed).split(':')[3], 'base64');
      for (const plaintext of ['Ada Lovelace', 'ada@example.org', '"age":36']) expect(box.includes(plaintext)).toBe(false);
      for (const data of await everyRead(stream, events[0].eventId)) expect(data).toEqual(appended);
    });

    it('reads them as redacted once the subject is forgotten, its other fields and other subjects untouched, the stored data unchanged', async () => {
      const stream = freshStream();
      const { events } = await store.append(stream, [checkedIn('guest-1'), checkedIn('guest-2', { name: 'Grace Hopper' })]);
      const storedBefore = await Promise.all(events.map((e) => backend.storedData(e.eventId)));

      await backend.forget(stream.tenantId, 'guest-1');

      const redacted = { guestId: 'guest-1', roomId: '101', name: REDACTED, email: REDACTED, age: REDACTED };
      for (const data of await everyRead(stream, events[0].eventId)) expect(data).toEqual(redacted);
      expect((await store.readStream(stream))[1].data).toMatchObject({ guestId: 'guest-2', name: 'Grace Hopper' });
      expect(await Promise.all(events.map((e) => backend.storedData(e.eventId)))).toEqual(storedBefore);
    });

    it('reads the log with them redacted for a reader that asks so, the same events opened for the others', async () => {
      const stream = freshStream();
      const { events } = await store.append(stream, [checkedIn('guest-1'), checkedIn('guest-2', { email: undefined })]);
      await backend.settle();
      const ids = new Set(idsOf(events));
      const ofStream = async (personalFields?: PersonalFieldsView) =>
        (await readLogFrom(store, LOG_START, 1_000, personalFields)).filter((e) => ids.has(e.eventId));

      const redacted = await ofStream('redacted');
      expect(redacted.map((e) => e.data)).toEqual([
        { guestId: 'guest-1', roomId: '101', name: REDACTED, email: REDACTED, age: REDACTED },
        // Only the fields the event holds: an absent one stays absent.
        { guestId: 'guest-2', roomId: '101', name: REDACTED, age: REDACTED },
      ]);
      expect(redacted.map((e) => ({ ...e, data: undefined }))).toEqual((await ofStream()).map((e) => ({ ...e, data: undefined })));
      expect((await ofStream('opened')).map((e) => (e.data as { name: string }).name)).toEqual(['Ada Lovelace', 'Ada Lovelace']);
    });

    it('forgets a subject in one tenant only', async () => {
      const [mine, theirs] = [freshStream(), freshStream()];
      await store.append(mine, [checkedIn('guest-1')]);
      await store.append(theirs, [checkedIn('guest-1')]);
      await backend.forget(mine.tenantId, 'guest-1');
      expect((await store.readStream(mine))[0].data).toMatchObject({ name: REDACTED });
      expect((await store.readStream(theirs))[0].data).toMatchObject({ name: 'Ada Lovelace' });
    });

    it('seals what comes after a forgetting under a new key, readable while the old events stay redacted', async () => {
      const stream = freshStream();
      await store.append(stream, [checkedIn('guest-1')]);
      await backend.forget(stream.tenantId, 'guest-1');
      await store.append(stream, [checkedIn('guest-1', { name: 'Ada King' })]);
      expect((await store.readStream(stream)).map((e) => (e.data as { name: string }).name)).toEqual([REDACTED, 'Ada King']);
    });

    it('leaves absent personal fields absent', async () => {
      const stream = freshStream();
      const { events } = await store.append(stream, [checkedIn('guest-1', { email: undefined, age: undefined })]);
      const sealed = { fields: ['name'], sealed: expect.stringMatching(/^pd:1:/) };
      expect(await backend.storedData(events[0].eventId)).toEqual({ guestId: 'guest-1', roomId: '101', '~personal': sealed });
      expect((await store.readStream(stream))[0].data).toEqual({ guestId: 'guest-1', roomId: '101', name: 'Ada Lovelace' });
    });

    it('refuses personal fields without their subject, storing nothing', async () => {
      const stream = freshStream();
      const error = await rejectionOf(store.append(stream, [checkedIn(undefined)]));
      expect(error).toBeInstanceOf(InvalidEventPayload);
      expect((error as InvalidEventPayload).violations).toEqual([{ field: 'guestId', constraints: [expect.stringContaining('guestId must name the subject')] }]);
      expect(await store.streamVersion(stream)).toBe(0);
    });

    it("reads a subject's events of one tenant, in log order", async () => {
      const tenantId = freshTenant();
      const [first, second] = [freshStream(tenantId), freshStream(tenantId)];
      const a = await store.append(first, [checkedIn('guest-9'), checkedIn('guest-8')]);
      const b = await store.append(second, [checkedIn('guest-9', { name: 'Ada again' })]);
      await store.append(freshStream(), [checkedIn('guest-9')]);
      const events = await store.readSubject(tenantId, 'guest-9');
      expect(idsOf(events)).toEqual([a.events[0].eventId, b.events[0].eventId]);
      expect(events.map((e) => (e.data as { name: string }).name)).toEqual(['Ada Lovelace', 'Ada again']);
      expect(idsOf(await store.readSubject(tenantId, 'guest-9', { after: cursorOf(events[0]) }))).toEqual([b.events[0].eventId]);
      expect(await store.readSubject(tenantId, 'nobody')).toEqual([]);
    });
  });
});
