import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type ChannelModel, type ConfirmChannel, type Options } from 'amqplib';
import pg from 'pg';
import { AmqpBroker } from '../../src/event-sourcing/broker/amqp-broker.js';
import { eventRelay, RELAY_SUBSCRIPTION } from '../../src/event-sourcing/relay/event-relay.js';
import { relayMessage, type RelayMessage } from '../../src/event-sourcing/relay/relayed-event.js';
import type { EventMetadata, RecordedEvent } from '../../src/event-sourcing/store/event-envelope.js';
import type { Subscription } from '../../src/event-sourcing/subscriptions/subscription.js';
import { PostgresSubscriptionLog } from '../../src/event-sourcing/subscriptions/subscription-log.js';
import { SubscriptionWorker } from '../../src/event-sourcing/subscriptions/subscription-worker.js';
import type { ExtraDatabase } from '../databases.js';
import { interleave } from '../harness/interleave.js';
import { summarize, type Work } from '../harness/sample.js';
import { PRACTICES, reservationPersonalData, reservationRegistry, seedReservationLog } from '../projections/reservation-log.js';
import { progress } from '../progress.js';
import type { TargetName } from '../targets/target.js';
import type { Workload } from './workload.js';

/** A log of its own: the relay publishes every event there is, so the catch-up log (200k) would be far too long. */
const LOG_DATABASE = 'relay';
/** Connections the worker's pool may open: the app's default DB_POOL_SIZE. */
const WORKER_POOL_SIZE = 10;
const POLL_MS = 10;
const STALL_MS = 60_000;

/** The columns a raw page reads: what a relayed message carries, nothing else. */
const COLUMNS = `position, event_id, tenant_id, aggregate_type, aggregate_id, version, type, schema_version,
    data, metadata, occurred_at, recorded_at`;
const PAGE = `SELECT ${COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2`;

interface EventRow {
  readonly position: string;
  readonly event_id: string;
  readonly tenant_id: string;
  readonly aggregate_type: string;
  readonly aggregate_id: string;
  readonly version: number;
  readonly type: string;
  readonly schema_version: number;
  data: unknown;
  readonly metadata: EventMetadata;
  readonly occurred_at: Date;
  readonly recorded_at: Date;
}

/** Where the relay has to get to: the last event in the order workers read the log. */
interface LogHead {
  readonly transactionId: string;
  readonly position: string;
}

/** Everything a phase needs: the log, the broker, and what was published where. */
interface Setup {
  readonly database: ExtraDatabase;
  readonly url: string;
  readonly exchange: string;
  readonly queue: string;
  readonly admin: ConfirmChannel;
  readonly batchSize: number;
  readonly total: number;
  readonly head: LogHead;
}

/**
 * The raw publisher's message for a row, written out by hand (not with `relayMessage`): the
 * same routing key, properties, headers and JSON body, byte for byte (checked before measuring).
 */
const rawMessage = (row: EventRow): RelayMessage => {
  const { correlationId, causationId } = row.metadata;
  const headers: Record<string, string | number> = {
    'event-id': row.event_id,
    'event-type': row.type,
    'schema-version': row.schema_version,
  };
  if (correlationId !== undefined) headers['correlation-id'] = correlationId;
  if (causationId !== undefined) headers['causation-id'] = causationId;
  const body = {
    eventId: row.event_id,
    stream: { tenantId: row.tenant_id, aggregateType: row.aggregate_type, aggregateId: row.aggregate_id },
    version: row.version,
    position: Number(row.position),
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    occurredAt: row.occurred_at.toISOString(),
    recordedAt: row.recorded_at.toISOString(),
  };
  const options: Options.Publish = {
    persistent: true,
    messageId: row.event_id,
    type: row.type,
    contentType: 'application/json',
    timestamp: Math.floor(row.recorded_at.getTime() / 1000),
    appId: 'chronicle',
    ...(correlationId !== undefined && { correlationId }),
    headers,
  };
  const routingKey = `${row.tenant_id}.${row.aggregate_type}.${row.type}`;
  return { routingKey, content: Buffer.from(JSON.stringify(body)), options };
};

const sameMessage = (a: RelayMessage, b: RelayMessage): boolean =>
  a.routingKey === b.routingKey && a.content.equals(b.content) && isDeepStrictEqual(a.options, b.options);

/**
 * Fails unless the raw publisher would send exactly what the relay sent for the events of the
 * relay's first batch: otherwise the two rates would not be of the same messages.
 */
const checkSameMessages = async (pool: pg.Pool, relayed: readonly RecordedEvent[]): Promise<void> => {
  const ids = relayed.map((event) => event.eventId);
  const { rows } = await pool.query<EventRow>(`SELECT ${COLUMNS} FROM events WHERE event_id = ANY($1::uuid[])`, [ids]);
  await reservationPersonalData(pool).open(rows);
  if (relayed.length === 0) throw new Error('relay_throughput: the relay handled no batch');
  const byId = new Map(rows.map((row) => [row.event_id, row]));
  for (const event of relayed) {
    const row = byId.get(event.eventId);
    if (!row || !sameMessage(relayMessage(event), rawMessage(row))) {
      throw new Error(`relay_throughput: the raw message for event ${event.eventId} differs from the relay's`);
    }
  }
};

const logHead = async (pool: pg.Pool): Promise<LogHead> => {
  const { rows } = await pool.query<LogHead>(
    // Qualified: a bare `position` would order by the text alias.
    `SELECT transaction_id::text AS "transactionId", position::text AS position FROM events
     ORDER BY events.transaction_id DESC, events.position DESC LIMIT 1`,
  );
  if (!rows[0]) throw new Error('the log is empty');
  return rows[0];
};

/** The relay back at checkpoint 0, as if it had never run (the row exists once a worker has started). */
const resetRelay = async (pool: pg.Pool): Promise<void> => {
  await pool.query(
    `UPDATE projection_checkpoints SET position = 0, transaction_id = '0', events_applied = 0, owner = NULL
     WHERE projection = $1`,
    [RELAY_SUBSCRIPTION],
  );
};

/**
 * Polls until the relay's checkpoint is at the head, which it passes only once RabbitMQ has
 * confirmed every event before it; resolves to the events it handled. Fails on a stall.
 */
const waitForHead = async (pool: pg.Pool, head: LogHead): Promise<number> => {
  let progressAt = performance.now();
  let last = '';
  for (;;) {
    const { rows } = await pool.query<{ at_head: boolean; applied: string; state: string }>(
      `SELECT transaction_id = $2::text::xid8 AND position = $3 AS at_head, events_applied::text AS applied,
              transaction_id || '/' || position AS state
       FROM projection_checkpoints WHERE projection = $1 AND partition = 0`,
      [RELAY_SUBSCRIPTION, head.transactionId, head.position],
    );
    const row = rows[0];
    if (row?.at_head) return Number(row.applied);
    const state = row?.state ?? 'none';
    if (state !== last) {
      last = state;
      progressAt = performance.now();
    } else if (performance.now() - progressAt > STALL_MS) {
      const target = `${head.transactionId}/${head.position}`;
      throw new Error(`relay: checkpoint stopped at ${state} short of ${target} for ${STALL_MS / 1000} s`);
    }
    await sleep(POLL_MS);
  }
};

const waitUntil = async (what: string, condition: () => boolean, timeoutMs: number): Promise<void> => {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`relay_throughput: no ${what} within ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
};

/**
 * Every message of a phase is in the bound queue (a confirm says RabbitMQ has it; counting says
 * nothing was lost or doubled); then empties it for the next phase.
 */
const drainQueue = async ({ admin, queue, total }: Setup, who: TargetName): Promise<void> => {
  const { messageCount } = await admin.checkQueue(queue);
  if (messageCount !== total) {
    throw new Error(`relay_throughput (${who}): the queue holds ${messageCount} messages, not ${total}`);
  }
  await admin.purgeQueue(queue);
};

/**
 * The system under test: the app's relay subscription on a SubscriptionWorker (its own pool,
 * default options but `batchSize`), from checkpoint 0 until its checkpoint reaches the head.
 * Latencies: one batch's `handle` (publish + confirms). `firstBatch` gets the first batch relayed.
 */
const relayPhase = async (setup: Setup, firstBatch: (events: readonly RecordedEvent[]) => void): Promise<Work> => {
  const { database, url, exchange, batchSize, total, head } = setup;
  await resetRelay(database.pool);
  const registry = reservationRegistry();
  const pool = new pg.Pool({ connectionString: database.url, max: WORKER_POOL_SIZE });
  pool.on('error', (error) => progress(`relay worker connection failed: ${error.message}`));
  const connectionName = `chronicle-bench-relay-${process.pid}`;
  const broker = new AmqpBroker({ url, exchange, connectionName, log: progress });
  const relay = eventRelay(broker, { types: registry.registeredTypes() });
  const latenciesMs: number[] = [];
  const timed: Subscription = {
    ...relay,
    async handle(client, events) {
      if (latenciesMs.length === 0) firstBatch(events);
      const began = performance.now();
      await relay.handle(client, events);
      latenciesMs.push(performance.now() - began);
    },
  };
  const reader = new PostgresSubscriptionLog(pool, registry, reservationPersonalData(pool, registry));
  const worker = new SubscriptionWorker(pool, reader, [timed], { batchSize, log: progress });
  try {
    await broker.start();
    await waitUntil('RabbitMQ connection', () => broker.isUp(), 10_000);
    await broker.confirmChannel(10_000); // open before the clock starts, as in a running app
    const start = performance.now();
    await worker.start();
    const handled = await waitForHead(database.pool, head);
    const elapsedMs = performance.now() - start;
    if (handled !== total) throw new Error(`relay_throughput: the relay handled ${handled} events of ${total}`);
    return { events: handled, ops: latenciesMs.length, elapsedMs, latenciesMs };
  } finally {
    await worker.stop();
    await broker.stop();
    await pool.end();
  }
};

/**
 * The baseline: plain SELECT pages of `batchSize` (by position), each page published on a
 * confirm channel and its confirms awaited before the next page is read, as the relay does per
 * batch. Latencies: one page's publish + confirms (the read not included, as in the relay's).
 */
const rawPhase = async (setup: Setup, connection: ChannelModel): Promise<Work & { readMs: number }> => {
  const { database, exchange, batchSize, total } = setup;
  const channel = await connection.createConfirmChannel(); // open before the clock starts, as the relay's
  // Guests' names are stored sealed: a hand-written relay must open them too, as the app's does.
  const personalData = reservationPersonalData(database.pool);
  const latenciesMs: number[] = [];
  let position = '0';
  let events = 0;
  let readMs = 0;
  try {
    const start = performance.now();
    for (;;) {
      const reading = performance.now();
      const page = { name: 'bench_relay_page', text: PAGE, values: [position, batchSize] };
      const { rows } = await database.pool.query<EventRow>(page);
      await personalData.open(rows);
      readMs += performance.now() - reading;
      if (rows.length === 0) break;
      const began = performance.now();
      for (const row of rows) {
        const { routingKey, content, options } = rawMessage(row);
        channel.publish(exchange, routingKey, content, options);
      }
      await channel.waitForConfirms();
      latenciesMs.push(performance.now() - began);
      events += rows.length;
      position = rows[rows.length - 1].position;
    }
    const elapsedMs = performance.now() - start;
    if (events !== total) throw new Error(`relay_throughput (raw): published ${events} events of ${total}`);
    return { events, ops: latenciesMs.length, elapsedMs, latenciesMs, readMs };
  } finally {
    await channel.close().catch(() => undefined);
  }
};

type Phase = { readonly name: 'store' | 'raw' };
const TARGETS: readonly [Phase, Phase] = [{ name: 'store' }, { name: 'raw' }];

/**
 * The relay to RabbitMQ (the real `eventRelay` subscription on a real SubscriptionWorker)
 * publishing a seeded log from checkpoint 0, against a raw amqplib confirm-channel publisher
 * sending the same messages, on an exchange of the run's own with one durable queue bound to
 * every key (unroutable messages are confirmed without being stored, which would flatter both).
 */
export const relayThroughput: Workload = {
  name: 'relay_throughput',
  skip: (config) => (config.amqpUrl ? undefined : 'neither BENCH_AMQP_URL nor AMQP_URL is set (it needs RabbitMQ)'),
  async run({ config, cpu, databases }) {
    const url = config.amqpUrl!;
    const database = await databases.open(LOG_DATABASE);
    const total = await seedReservationLog(database, config.relayEvents, config.writers);
    const exchange = `chronicle.bench.relay.${randomBytes(4).toString('hex')}`;
    const queue = `${exchange}.all`;
    const clientProperties = { connection_name: `chronicle-bench-raw-${process.pid}` };
    const connection = await connect(url, { clientProperties });
    try {
      const admin = await connection.createConfirmChannel();
      await admin.assertExchange(exchange, 'topic', { durable: true });
      await admin.assertQueue(queue, { durable: true });
      await admin.bindQueue(queue, exchange, '#');
      const head = await logHead(database.pool);
      const setup: Setup = { database, url, exchange, queue, admin, batchSize: config.projectionBatch, total, head };
      let relayed: readonly RecordedEvent[] = [];
      let rawReadMs = 0;
      // Unmeasured: warms the queue's files, the page cache and both code paths.
      await rawPhase(setup, connection);
      await drainQueue(setup, 'raw');
      const samples = await interleave(TARGETS, 2, cpu, async (target) => {
        if (target.name === 'store') {
          const work = await relayPhase(setup, (events) => (relayed = relayed.length > 0 ? relayed : events));
          await drainQueue(setup, 'store');
          return work;
        }
        const { readMs, ...work } = await rawPhase(setup, connection);
        rawReadMs += readMs;
        await drainQueue(setup, 'raw');
        return work;
      });
      await checkSameMessages(database.pool, relayed);
      const store = summarize(samples.store);
      const raw = summarize(samples.raw);
      return {
        name: this.name,
        store,
        raw,
        extra: {
          log_events: total,
          batch_size: config.projectionBatch,
          phases_per_target: 2,
          raw_read_ms_total: Math.round(rawReadMs),
          raw_publish_confirm_ms_total: Math.round(samples.raw.latenciesMs.reduce((sum, ms) => sum + ms, 0)),
          store_handle_ms_total: Math.round(samples.store.latenciesMs.reduce((sum, ms) => sum + ms, 0)),
        },
        notes: [
          `relay_throughput: ${total} reservation events (${PRACTICES} tenants, one stream per reservation) ` +
            `published to RabbitMQ at ${new URL(url).host} twice per target (store, raw, raw, store, after an ` +
            `unmeasured raw pass), persistent, to an exchange of the run's own with one durable queue bound to '#' ` +
            `(checked to hold every message after each pass, then purged); store = the app's relay subscription on ` +
            `a SubscriptionWorker from checkpoint 0 until its checkpoint reaches the head (it moves only after ` +
            `RabbitMQ's confirms), batches of ${config.projectionBatch}, polled every ${POLL_MS} ms; raw = plain ` +
            `SELECT pages of ${config.projectionBatch} by position, each published on an amqplib confirm channel ` +
            `then waitForConfirms, the same routing keys, headers and bodies (checked byte for byte), no read ahead ` +
            `(${(rawReadMs / 1000).toFixed(1)} s of its time reading); p50/p99: one batch's publish + confirms; ` +
            `RabbitMQ's CPU is not counted`,
        ],
      };
    } finally {
      await connection.close().catch(() => undefined);
      await removeExchange(url, exchange, queue);
      await databases.drop(LOG_DATABASE);
    }
  },
};

/** Deletes the run's queue and exchange on a connection of its own (the phase's may have failed). */
const removeExchange = async (url: string, exchange: string, queue: string): Promise<void> => {
  const connection = await connect(url);
  try {
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue);
    await channel.deleteExchange(exchange);
  } finally {
    await connection.close().catch(() => undefined);
  }
};
