import type { BenchPayload } from '../fixtures.js';

const SAMPLE_EVENTS = 10_000;
const shapes = new Map<string, Readonly<Record<string, number | string>>>();

const meanBytes = (values: readonly unknown[]): number =>
  Math.round(values.reduce<number>((sum, value) => sum + Buffer.byteLength(JSON.stringify(value)), 0) / values.length);

/**
 * The payload a workload wrote and its mean JSON sizes (data, metadata), over 10,000 events of
 * a source of its own: a workload's events come from the same distribution.
 */
export const payloadShape = (payload: BenchPayload): Readonly<Record<string, number | string>> => {
  let shape = shapes.get(payload.name);
  if (shape === undefined) {
    const events = payload.source('payload-shape')(SAMPLE_EVENTS);
    shape = {
      payload: payload.name,
      data_bytes_mean: meanBytes(events.map((event) => event.data)),
      metadata_bytes_mean: meanBytes(events.map((event) => event.metadata)),
    };
    shapes.set(payload.name, shape);
  }
  return shape;
};
