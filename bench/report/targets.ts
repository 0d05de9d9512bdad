/** The store/raw ratios the team set: at least this much of the raw baseline's throughput. */
const TARGET_RATIOS: Readonly<Record<string, number>> = {
  single_appends_8_writers: 0.6,
  batch_appends_10: 0.8,
  read_stream_1000: 0.8,
  read_all_200k: 0.8,
};

export const targetRatio = (workload: string): number | undefined => TARGET_RATIOS[workload];
