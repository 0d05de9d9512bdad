/** Everything a bench run can be tuned by, read once from the environment. */
export interface BenchConfig {
  /** BENCH_SCALE: shrinks (or grows) durations and event counts; 1 is the default run. */
  readonly scale: number;
  /** Writers (and connections in use) for the append workloads. */
  readonly writers: number;
  /** Concurrent loaders in read_stream_1000; node parses every row, so more only queue. */
  readonly streamReaders: number;
  readonly poolSize: number;
  /** Unmeasured run before a target's first measured phase of a workload. */
  readonly warmupMs: number;
  /** Measured time per target and workload, split over two phases (store, raw, raw, store). */
  readonly appendMs: number;
  readonly readStreamMs: number;
  readonly batchSize: number;
  readonly contendedStreams: number;
  readonly streamLength: number;
  readonly logEvents: number;
  readonly pageSize: number;
  /** Measured passes over the whole log per target (plus one unmeasured warm-up pass). */
  readonly logPasses: number;
  /** Concurrent clients (autocannon connections) in http_create_confirm. */
  readonly httpConnections: number;
  /** Measured time per HTTP route, split over two interleaved phases. */
  readonly httpMs: number;
  readonly httpWarmupMs: number;
  /** Sequential creates timed step by step after the HTTP measurement. */
  readonly profileCommands: number;
  /** Time the loaded profile (all connections busy) runs. */
  readonly profileLoadMs: number;
  /** Reservation events the catch-up workloads seed (the `_200k` ones). */
  readonly projectionEvents: number;
  /** BENCH_MILLION=1 adds catch-up workloads over 1,000,000 events (minutes of seeding and catching up). */
  readonly million: boolean;
  /** Events per worker step, as the app runs it (SubscriptionWorker's default); the raw scan reads pages of this. */
  readonly projectionBatch: number;
  /** BENCH_AMQP_URL or AMQP_URL: the RabbitMQ relay_throughput publishes to; that workload skips itself without one. */
  readonly amqpUrl: string | undefined;
  /** Reservation events relay_throughput seeds and publishes, through the relay and through the raw publisher. */
  readonly relayEvents: number;
  /** Deposit reservations saga_reaction_latency appends one at a time, each awaited until its payment is requested. */
  readonly sagaReactions: number;
  readonly embeddedPort: number;
  readonly serverUrl: string | undefined;
  /** BENCH_ONLY: comma-separated workload names to run; all when unset. */
  readonly only: readonly string[] | undefined;
}

const positiveNumber = (name: string, fallback: number): number => {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${text}"`);
  return value;
};

export const loadConfig = (): BenchConfig => {
  const scale = positiveNumber('BENCH_SCALE', 1);
  const ms = (base: number): number => Math.max(300, Math.round(base * scale));
  const port = positiveNumber('BENCH_PG_PORT', 54330);
  if (!Number.isInteger(port) || port > 65535) throw new Error(`BENCH_PG_PORT must be a TCP port, got ${port}`);
  return {
    scale,
    writers: 8,
    streamReaders: 2,
    poolSize: 12,
    warmupMs: ms(1_000),
    appendMs: ms(6_000),
    readStreamMs: ms(5_000),
    batchSize: 10,
    contendedStreams: 10,
    streamLength: 1_000,
    logEvents: Math.max(10_000, Math.round(200_000 * scale)),
    pageSize: 1_000,
    logPasses: 2,
    httpConnections: 16,
    httpMs: ms(20_000),
    httpWarmupMs: ms(2_000),
    profileCommands: Math.max(20, Math.round(200 * scale)),
    profileLoadMs: ms(3_000),
    projectionEvents: Math.max(10_000, Math.round(200_000 * scale)),
    million: process.env.BENCH_MILLION === '1',
    projectionBatch: 500,
    amqpUrl: process.env.BENCH_AMQP_URL || process.env.AMQP_URL || undefined,
    relayEvents: Math.max(2_000, Math.round(20_000 * scale)),
    sagaReactions: Math.max(50, Math.round(200 * scale)),
    embeddedPort: port,
    serverUrl: process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || undefined,
    only: process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((name) => name.trim()) : undefined,
  };
};
