import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { IsString } from 'class-validator';
import { KeyWrapping } from '../../src/event-sourcing/personal-data/key-wrapping.js';
import { PersonalData } from '../../src/event-sourcing/personal-data/personal-data.js';
import { REDACTED, type PersonalFieldsView } from '../../src/event-sourcing/personal-data/personal-fields.js';
import type { SubjectKeys } from '../../src/event-sourcing/personal-data/subject-keys.js';
import { LOG_START } from '../../src/event-sourcing/store/log-cursor.js';
import { PostgresSubscriptionLog, type SubscriptionLog } from '../../src/event-sourcing/subscriptions/subscription-log.js';
import { SubscriptionWorker } from '../../src/event-sourcing/subscriptions/subscription-worker.js';
import type { RecordedEvent } from '../../src/event-sourcing/store/event-envelope.js';
import { projectionSubscription } from '../../src/event-sourcing/projections/async-projection.js';
import { CheckpointStore } from '../../src/event-sourcing/subscriptions/checkpoint-store.js';
import { DeadLetters } from '../../src/event-sourcing/subscriptions/dead-letters.js';
import { PartitionRunner } from '../../src/event-sourcing/subscriptions/partition-runner.js';
import { SubscriptionControls } from '../../src/event-sourcing/subscriptions/subscription-controls.js';
import type { SubscriptionOptions } from '../../src/event-sourcing/subscriptions/subscription.js';
import { PostgresSubjectKeys } from '../../src/event-sourcing/personal-data/postgres-subject-keys.js';
import { InboxFailures } from '../../src/event-sourcing/inbox/inbox-failures.js';
import type { RelayedEvent } from '../../src/event-sourcing/relay/relayed-event.js';
import { SubjectForgetting } from '../../src/event-sourcing/personal-data/subject-forgetting.js';
import { asyncFold } from '../../src/event-sourcing/projections/async-fold.projection.js';
import { AsyncProjections } from '../../src/event-sourcing/projections/async-projections.js';
import { ProjectionAdmin } from '../../src/event-sourcing/projections/projection-admin.js';
import type { StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import { EventRegistry } from '../../src/event-sourcing/store/event-registry.js';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import { TEST_MASTER_KEY } from '../support/personal-data.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

class GuestArrived {
  @IsString() guestId!: string;
  @IsString() name!: string;
}

const registry = () =>
  new EventRegistry().register({ type: 'guest.arrived', payload: GuestArrived, personal: { subject: 'guestId', fields: ['name'] } });
const receptionist = { type: 'human', id: 'desk' } as const;

/** One process's view of the database: its own keys (and their LISTEN), its own store. */
const process = (db: TestDatabase, masterKey = TEST_MASTER_KEY) => {
  const keys = new PostgresSubjectKeys(db.pool, new KeyWrapping(masterKey));
  const events = registry();
  const store = new PostgresEventStore(db.pool, events, undefined, { personalData: new PersonalData(events, keys) });
  return { keys, store, forgetting: new SubjectForgetting(db.pool, keys, () => []) };
};

const eventually = async <T>(read: () => Promise<T>, until: (value: T) => boolean, ms = 5_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (until(value) || Date.now() > end) return value;
    await sleep(20);
  }
};

describe('personal data across processes', () => {
  let db: TestDatabase;
  let first: ReturnType<typeof process>;
  let second: ReturnType<typeof process>;
  const stream = (): StreamId => ({ tenantId: 'practice-1', aggregateType: 'stay', aggregateId: randomUUID() });
  const arrive = (store: PostgresEventStore, at: StreamId, guestId: string, name: string) =>
    store.append(at, [{ type: 'guest.arrived', data: { guestId, name }, metadata: { actor: receptionist } }]);
  const nameIn = async (store: PostgresEventStore, at: StreamId): Promise<string> =>
    ((await store.readStream(at))[0].data as GuestArrived).name;
  const listeners = async (): Promise<number> =>
    (
      await db.pool.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN chronicle_subject_forgotten'`,
      )
    ).rows.length;

  // Reads of the log stop below the server's oldest open transaction: tests in other databases
  // may hold that back for a moment.
  const readable = async (): Promise<boolean> =>
    (await db.pool.query(`SELECT bool_and(transaction_id < pg_snapshot_xmin(pg_current_snapshot())) AS all FROM events`)).rows[0].all;

  /** A read model of each guest's name, in a table of its own made here. */
  const guestNames = async (name: string, table: string, options: SubscriptionOptions) => {
    await db.pool.query(`CREATE TABLE ${table} (tenant_id text, guest_id text, name text, PRIMARY KEY (tenant_id, guest_id))`);
    return asyncFold<{ tenant_id: string; guest_id: string; name: string }>(
      {
        name,
        handles: ['guest.arrived'],
        table,
        keyColumns: ['tenant_id', 'guest_id'],
        keyOf: (event) => [event.tenantId, (event.data as GuestArrived).guestId],
        evolve: (_row, event) => ({ tenant_id: event.tenantId, guest_id: (event.data as GuestArrived).guestId, name: (event.data as GuestArrived).name }),
      },
      options,
    );
  };

  /** A table of guests' names holding one row of `guestId`, and a forgetting (in the first process) that redacts it. */
  const forgettingWithRow = async (table: string, guestId: string, name: string): Promise<SubjectForgetting> => {
    await db.pool.query(`CREATE TABLE ${table} (tenant_id text, guest_id text, name text, PRIMARY KEY (tenant_id, guest_id))`);
    await db.pool.query(`INSERT INTO ${table} VALUES ('practice-1', $1, $2)`, [guestId, name]);
    return new SubjectForgetting(db.pool, first.keys, () => [{ table, personal: { tenant: 'tenant_id', subject: 'guest_id', columns: ['name'] } }]);
  };
  /** Whether a statement like `query` waits for a lock. */
  const waitingOnLock = async (query: string): Promise<boolean> =>
    (
      await db.pool.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1`, [
        query,
      ])
    ).rows.length > 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    [first, second] = [process(db), process(db)];
    await Promise.all([first.keys.start(), second.keys.start()]);
  });
  afterAll(async () => {
    await Promise.all([first.keys.stop(), second.keys.stop()]);
    await db.drop();
  });

  it('keeps a key per process and subject once stored: the next append for the subject makes none', async () => {
    const count = async () => Number((await db.pool.query(`SELECT count(*) FROM subject_keys WHERE subject_id = 'g-keep'`)).rows[0].count);
    await arrive(first.store, stream(), 'g-keep', 'Kept Once');
    await arrive(first.store, stream(), 'g-keep', 'Kept Once');
    expect(await count()).toBe(1);
    await arrive(second.store, stream(), 'g-keep', 'Kept Once');
    expect(await count()).toBe(2);
  });

  it('lets appends sealing with one kept key share a group commit: holding it is no write', async () => {
    await arrive(first.store, stream(), 'g-group', 'Grouped Guest'); // the key is kept from here
    const streams = Array.from({ length: 6 }, stream);

    await Promise.all(
      streams.map((at) =>
        first.store.appendWithWrites(at, [{ type: 'guest.arrived', data: { guestId: 'g-group', name: 'Grouped Guest' }, metadata: { actor: receptionist } }], 0, () => []),
      ),
    );

    // The first goes alone; the others wait for it and go together, in one transaction.
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(DISTINCT transaction_id)::int AS n FROM events WHERE aggregate_id = ANY($1)`,
      [streams.map((at) => at.aggregateId)],
    );
    expect(rows[0].n).toBeLessThanOrEqual(2);
    expect(await Promise.all(streams.map((at) => nameIn(first.store, at)))).toEqual(streams.map(() => 'Grouped Guest'));
  });

  it('stores no key for an append that is refused', async () => {
    const at = stream();
    await arrive(first.store, at, 'g-other', 'First');
    await expect(
      first.store.append(at, [{ type: 'guest.arrived', data: { guestId: 'g-refused', name: 'Never' }, metadata: { actor: receptionist } }], {
        expectedVersion: 'no_stream',
      }),
    ).rejects.toThrow();
    expect((await db.pool.query(`SELECT 1 FROM subject_keys WHERE subject_id = 'g-refused'`)).rows).toEqual([]);
  });

  it("reads a subject forgotten in another process as redacted, though this one kept the subject's key", async () => {
    const at = stream();
    await arrive(first.store, at, 'g-ada', 'Ada Lovelace');
    expect(await nameIn(first.store, at)).toBe('Ada Lovelace');
    expect(await nameIn(second.store, at)).toBe('Ada Lovelace');

    await second.forgetting.forget('practice-1', 'g-ada', receptionist);

    expect(await eventually(() => nameIn(first.store, at), (name) => name === REDACTED)).toBe(REDACTED);
    // …and it no longer seals with the deleted key: what comes next is readable.
    const later = stream();
    await arrive(first.store, later, 'g-ada', 'Ada King');
    expect(await nameIn(second.store, later)).toBe('Ada King');
  });

  it('keeps no key while it cannot hear forgettings (its LISTEN connection lost), and listens again', async () => {
    const at = stream();
    await arrive(first.store, at, 'g-bob', 'Bob Dylan');
    expect(await nameIn(first.store, at)).toBe('Bob Dylan');
    expect(await listeners()).toBe(2);
    await db.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND query = 'LISTEN chronicle_subject_forgotten'`,
    );
    await eventually(async () => first.keys.listening, (listening) => !listening);

    await second.forgetting.forget('practice-1', 'g-bob', receptionist);

    expect(await nameIn(first.store, at)).toBe(REDACTED);
    expect(await eventually(listeners, (n) => n === 2)).toBe(2);
  });

  it('makes an append storing a new key of a subject being forgotten wait for the forgetting: it is then written after it', async () => {
    const forgetting = await forgettingWithRow('race_guests', 'g-race', 'Ada Lovelace');
    const before = stream();
    await arrive(first.store, before, 'g-race', 'Ada Lovelace');
    // A writer of the guest's row holds the forgetting in its redaction: it has deleted the keys it saw, and not committed.
    const holder = await db.pool.connect();
    await holder.query(`BEGIN`);
    await holder.query(`SELECT 1 FROM race_guests WHERE guest_id = 'g-race' FOR UPDATE`);
    const forgotten = forgetting.forget('practice-1', 'g-race', receptionist);
    const later = stream();
    let appended = false;
    try {
      expect(await eventually(() => waitingOnLock('UPDATE race_guests%'), Boolean)).toBe(true);
      // The second process keeps no key of the guest: its append seals under a new one, and waits.
      const appending = arrive(second.store, later, 'g-race', 'Ada King').then(() => (appended = true));
      expect(await eventually(() => waitingOnLock('%chronicle_append%'), Boolean)).toBe(true);
      expect(appended).toBe(false);
      await holder.query(`COMMIT`);
      expect((await forgotten)?.keysDeleted).toBe(1);
      await appending;
    } finally {
      await holder.query(`ROLLBACK`);
      holder.release();
      await forgotten.catch(() => undefined);
    }
    // A process that keeps nothing: what was there before is shredded, what waited is written after the forgetting.
    const fresh = process(db);
    expect(await nameIn(fresh.store, before)).toBe(REDACTED);
    expect(await nameIn(fresh.store, later)).toBe('Ada King');
  });

  it('forgets all the same when it deadlocks with an append holding a row of the subject and waiting for its lock', async () => {
    const forgetting = await forgettingWithRow('deadlock_guests', 'g-dead', 'Dee Lock');
    const at = stream();
    await arrive(first.store, at, 'g-dead', 'Dee Lock');
    // As a group commit does: a row of the subject's written, then the subject's shared lock asked for.
    const append = await db.pool.connect();
    try {
      await append.query(`BEGIN`);
      await append.query(`UPDATE deadlock_guests SET name = name WHERE guest_id = 'g-dead'`);
      const forgotten = forgetting.forget('practice-1', 'g-dead', receptionist);
      expect(await eventually(() => waitingOnLock('UPDATE deadlock_guests%'), Boolean)).toBe(true);
      // The forgetting waits for the row while holding the lock: asking for the lock closes the circle.
      await append.query(`SELECT pg_advisory_xact_lock_shared(subject_lock('practice-1', 'g-dead'))`);
      await append.query(`COMMIT`);

      expect(await forgotten).toMatchObject({ keysDeleted: 1, rowsRedacted: 1 });
      expect(await nameIn(first.store, at)).toBe(REDACTED);
    } finally {
      await append.query(`ROLLBACK`).catch(() => undefined);
      append.release();
    }
  });

  it('forgets a subject whose data was sealed under hundreds of keys, and every process hears of each', async () => {
    // A process that does not listen keeps no key: each of its appends makes one (as restarts and evictions do, over years).
    const notListening = process(db);
    const streams = Array.from({ length: 210 }, stream);
    for (const at of streams) await arrive(notListening.store, at, 'g-regular', 'Regular Guest');
    const last = streams.at(-1)!;
    expect(await nameIn(second.store, last)).toBe('Regular Guest'); // its key is now kept by the second process

    const forgotten = await first.forgetting.forget('practice-1', 'g-regular', receptionist);

    expect(forgotten?.keysDeleted).toBe(210);
    expect(await nameIn(first.store, streams[0])).toBe(REDACTED);
    expect(await eventually(() => nameIn(second.store, last), (name) => name === REDACTED)).toBe(REDACTED);
  });

  it('keeps no key read before it listened again, though the subject was forgotten in between', async () => {
    // This process's key lookups may be answered late (a slow network, a busy event loop): held here on demand.
    let held: Promise<void> | undefined;
    let lookups = 0;
    const slowPool = new Proxy(db.pool, {
      get(target, property) {
        const value = Reflect.get(target, property) as unknown;
        if (property !== 'query') return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        return async (...args: unknown[]) => {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (String(args[0]).includes('FROM subject_keys WHERE key_id')) {
            lookups++;
            await held;
          }
          return result;
        };
      },
    });
    const keys = new PostgresSubjectKeys(slowPool, new KeyWrapping(TEST_MASTER_KEY));
    const events = registry();
    const reader = new PostgresEventStore(slowPool, events, undefined, { personalData: new PersonalData(events, keys) });
    await keys.start();
    try {
      const at = stream();
      await arrive(first.store, at, 'g-ivy', 'Ivy Close');
      await db.pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND query = 'LISTEN chronicle_subject_forgotten'`,
      );
      await eventually(async () => keys.listening, (listening) => !listening);

      // A read looks the key up, and its answer is on its way while the guest is forgotten and the process listens again.
      let release!: () => void;
      held = new Promise<void>((resolve) => (release = resolve));
      const reading = reader.readStream(at);
      await eventually(async () => lookups, (n) => n > 0);
      await second.forgetting.forget('practice-1', 'g-ivy', receptionist);
      await eventually(async () => keys.listening, Boolean);
      release();
      held = undefined;
      await reading; // began before the forgetting: may show the name

      expect(((await reader.readStream(at))[0].data as GuestArrived).name).toBe(REDACTED);
    } finally {
      await keys.stop();
    }
  });

  it("redacts the subject's fields in the messages the inbox kept, as jsonb or as text, and nobody else's", async () => {
    const inbox = new InboxFailures(db.pool);
    const forgetting = new SubjectForgetting(db.pool, first.keys, () => [], [inbox.personalCopies(registry())]);
    const message = (tenantId: string, guestId: string, extra: object = {}) => ({
      eventId: randomUUID(),
      stream: { tenantId, aggregateType: 'stay', aggregateId: randomUUID() },
      type: 'guest.arrived',
      data: { guestId, name: 'Nora Parked', ...extra },
    });
    const asText = { note: 'jsonb refuses \u0000' }; // so the inbox keeps the body as text
    const kept = [
      message('practice-1', 'g-parked'),
      message('practice-1', 'g-other'),
      message('practice-2', 'g-parked'),
      message('practice-1', 'g-parked', asText),
      message('practice-1', 'g-other', asText),
    ];
    for (const event of kept) await inbox.count('tests.mailer', event.eventId, 'practice-1.stay.guest.arrived', JSON.stringify(event), new Error('smtp down'), 1);
    await arrive(first.store, stream(), 'g-parked', 'Nora Parked'); // the subject's data in the log: a key to forget

    await forgetting.forget('practice-1', 'g-parked', receptionist);

    const { rows } = await db.pool.query<{ message: unknown }>(`SELECT message FROM inbox_failures`);
    const bodies = rows.map(({ message }) => (typeof message === 'string' ? JSON.parse(message) : message) as RelayedEvent);
    const dataOf = (eventId: string) => bodies.find((body) => body.eventId === eventId)?.data;
    expect(rows.filter(({ message }) => typeof message === 'string')).toHaveLength(2);
    expect(kept.map((event) => dataOf(event.eventId))).toEqual([
      { guestId: 'g-parked', name: REDACTED },
      { guestId: 'g-other', name: 'Nora Parked' },
      { guestId: 'g-parked', name: 'Nora Parked' },
      { guestId: 'g-parked', name: REDACTED, ...asText },
      { guestId: 'g-other', name: 'Nora Parked', ...asText },
    ]);
  });

  it('tells no process of a forgetting that deleted nothing: their readers of opened data do not read again', async () => {
    await arrive(first.store, stream(), 'g-twice', 'Twice Forgotten');
    const heard = first.keys.epoch;
    await second.forgetting.forget('practice-1', 'g-twice', receptionist);
    await eventually(async () => first.keys.epoch, (epoch) => epoch !== null && heard !== null && epoch > heard);
    await sleep(200); // the second process hears its own notice too
    const before = { first: first.keys.epoch, second: second.keys.epoch };

    expect((await second.forgetting.forget('practice-1', 'g-twice', receptionist))?.keysDeleted).toBe(0);
    expect(await second.forgetting.forget('practice-1', 'g-never-known', receptionist)).toBeNull();

    await sleep(200);
    expect({ first: first.keys.epoch, second: second.keys.epoch }).toEqual(before);
  });

  it('hands a page over while forgettings come faster than it is read, reading it again a few times at most', async () => {
    const events = registry();
    const log = new PostgresSubscriptionLog(db.pool, events, new PersonalData(events, first.keys));
    // A page that takes 40 ms to read and open (a busy database, a page of 1,000 events).
    const slow: SubscriptionLog = { readPartition: (...args) => log.readPartition(...args).then(async (page) => (await sleep(40), page)) };
    const handled: RecordedEvent[] = [];
    const worker = new SubscriptionWorker(
      db.pool,
      slow,
      [{ name: 'guests-opened', handles: ['guest.arrived'], partitions: 1, errorPolicy: 'stop', maxAttempts: 1, personalFields: 'opened', handle: async (_c, e) => void handled.push(...e) }],
      { pollIntervalMs: 20, batchSize: 100 },
    );
    // An erasure job: a guest of another practice written and forgotten every few milliseconds, each forgetting deleting a key.
    let erasing = true;
    const job = (async () => {
      for (let n = 0; erasing; n++) {
        await arrive(second.store, { tenantId: 'practice-9', aggregateType: 'stay', aggregateId: randomUUID() }, `g-erased-${n}`, 'Erased');
        await second.forgetting.forget('practice-9', `g-erased-${n}`, receptionist);
      }
    })();
    await worker.start();
    try {
      const at = stream();
      await arrive(first.store, at, 'g-waiting', 'Wait Less');
      const ours = () => handled.filter((event) => event.aggregateId === at.aggregateId);
      expect(await eventually(async () => ours().length, (n) => n > 0, 8_000)).toBe(1);
      expect((ours()[0].data as GuestArrived).name).toBe('Wait Less');
    } finally {
      erasing = false;
      await job;
      await worker.stop();
    }
  });

  it('refuses to open data with another master key, rather than showing it redacted', async () => {
    const at = stream();
    await arrive(first.store, at, 'g-cleo', 'Cleo');
    const wrongKey = process(db, Buffer.alloc(32, 99));
    await expect(wrongKey.store.readStream(at)).rejects.toThrow(/unable to authenticate|auth/i);
  });

  it('rebuilds an async read model from the events with forgotten subjects redacted', async () => {
    const projections = new AsyncProjections();
    projections.register(await guestNames('guest-names', 'guest_names', { personalFields: 'opened' }));
    // One that asks for personal fields redacted is rebuilt from them redacted, as its workers hand them.
    projections.register(await guestNames('guest-counts', 'guest_counts', { personalFields: 'redacted' }));
    await arrive(first.store, stream(), 'g-dora', 'Dora Maar');
    await arrive(first.store, stream(), 'g-eve', 'Eve Arnold');
    await first.forgetting.forget('practice-1', 'g-dora', receptionist);
    await eventually(readable, (all) => all === true);

    const admin = new ProjectionAdmin(db.pool, first.store, projections);
    await admin.rebuild('guest-names');
    await admin.rebuild('guest-counts');

    const namesIn = async (table: string) =>
      (await db.pool.query(`SELECT guest_id, name FROM ${table} WHERE guest_id IN ('g-dora', 'g-eve') ORDER BY guest_id`)).rows;
    expect(await namesIn('guest_names')).toEqual([
      { guest_id: 'g-dora', name: REDACTED },
      { guest_id: 'g-eve', name: 'Eve Arnold' },
    ]);
    expect(await namesIn('guest_counts')).toEqual([
      { guest_id: 'g-dora', name: REDACTED },
      { guest_id: 'g-eve', name: REDACTED },
    ]);
  });

  it("hands a subscription that keeps no personal data its events redacted in the workers' reads, reading no key for them", async () => {
    const at = stream();
    await arrive(first.store, at, 'g-fay', 'Fay Godwin');
    await eventually(readable, (all) => all === true);
    let keyReads = 0;
    const counting: SubjectKeys = Object.assign(Object.create(first.keys) as PostgresSubjectKeys, {
      keysByIds: (ids: readonly string[]) => {
        keyReads++;
        return first.keys.keysByIds(ids);
      },
    });
    const events = registry();
    const log = new PostgresSubscriptionLog(db.pool, events, new PersonalData(events, counting));
    const namesRead = async (personalFields: PersonalFieldsView): Promise<unknown[]> => {
      const names: unknown[] = [];
      for (let after = LOG_START; ; ) {
        const page = await log.readPartition({ types: ['guest.arrived'], partitions: 1, served: [0], personalFields }, 0, after, 1_000);
        names.push(...page.events.filter((e) => e.aggregateId === at.aggregateId).map((e) => (e.data as GuestArrived).name));
        if (!page.full) return names;
        after = page.cursor;
      }
    };

    expect(await namesRead('redacted')).toEqual([REDACTED]);
    expect(keyReads).toBe(0);
    expect(await namesRead('opened')).toEqual(['Fay Godwin']);
    expect(keyReads).toBeGreaterThan(0);
  });

  it("applies a projection that keeps no personal data with its events redacted, through its workers' steps", async () => {
    await arrive(first.store, stream(), 'g-gus', 'Gus Nash');
    await eventually(readable, (all) => all === true);
    const projection = await guestNames('guest-tally', 'guest_tally', { partitions: 1, personalFields: 'redacted' });
    const checkpoints = new CheckpointStore(db.pool);
    await checkpoints.ensure(projection.name, projection.partitions);
    const events = registry();
    const runner = new PartitionRunner(projectionSubscription(projection), 0, {
      pool: db.pool,
      reader: new PostgresSubscriptionLog(db.pool, events, new PersonalData(events, first.keys)),
      checkpoints,
      controls: new SubscriptionControls(db.pool),
      deadLetters: new DeadLetters(db.pool),
      workerId: 'test',
      batchSize: 100,
      log: () => undefined,
    });
    for (let steps = 0; steps < 100 && (await runner.step()) === 'progressed'; steps++);

    const { rows } = await db.pool.query(`SELECT name FROM guest_tally WHERE guest_id = 'g-gus'`);
    expect(rows).toEqual([{ name: REDACTED }]);
  });

  it('retries a dead letter of a skipping projection that keeps no personal data with the event redacted, as its workers hand it', async () => {
    const at = stream();
    await arrive(first.store, at, 'g-hal', 'Hal Ross');
    await eventually(readable, (all) => all === true);
    const handed: unknown[] = [];
    const projections = new AsyncProjections();
    projections.register({
      name: 'guest-skipper',
      handles: ['guest.arrived'],
      tables: [],
      partitions: 1,
      errorPolicy: 'skip',
      maxAttempts: 1,
      personalFields: 'redacted',
      apply: async (_client, events) => void handed.push(...events.map((e) => (e.data as GuestArrived).name)),
    });
    await new CheckpointStore(db.pool).ensure('guest-skipper', 1);
    const [event] = await first.store.readStream(at);
    await new DeadLetters(db.pool).record(db.pool, 'guest-skipper', 0, event, new Error('failed once'), 1);
    const admin = new ProjectionAdmin(db.pool, first.store, projections);

    const [letter] = (await admin.listDeadLetters('guest-skipper')).filter((l) => l.eventId === event.eventId);
    await admin.retryDeadLetter(letter.id);

    expect(handed).toEqual([REDACTED]);
  });
});
