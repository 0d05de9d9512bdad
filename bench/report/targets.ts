/** The store/raw ratios the team set: at least this much of the raw (mirror-table) baseline's throughput. */
const TARGET_RATIOS: Readonly<Record<string, number>> = {
  single_appends_8_writers: 0.6,
  batch_appends_10: 0.8,
  read_stream_1000: 0.8,
  read_all_200k: 0.8,
  /** create+confirm requests/s over the validate route's (HTTP, auth and validation alone). */
  http_create_confirm: 0.4,
  /** Events the map projection applies per second over the raw read rate of the same log. */
  projection_catchup_map_200k: 0.5,
  projection_catchup_map_1m: 0.5,
  /** Events the relay gets confirmed per second over a plain amqplib confirm-channel publisher's. */
  relay_throughput: 0.5,
};

/** The store/minimal ratios the team works toward (issue 16): realistic payloads against the minimal event table. */
const TARGET_RATIOS_MINIMAL: Readonly<Record<string, number>> = {
  append_single_order: 0.7,
  append_batch_order: 0.7,
  read_stream_order: 0.8,
  read_all_order: 0.8,
};

/** Latency ceilings, for workloads with no raw baseline of the same work: p99 at most this. */
const TARGET_P99_MS: Readonly<Record<string, number>> = {
  /** reservation.created committed → payment.requested stored, by the deposit saga. */
  saga_reaction_latency: 100,
};

export const targetRatio = (workload: string): number | undefined => TARGET_RATIOS[workload];
export const targetRatioMinimal = (workload: string): number | undefined => TARGET_RATIOS_MINIMAL[workload];
export const targetP99Ms = (workload: string): number | undefined => TARGET_P99_MS[workload];
