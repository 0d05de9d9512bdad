import { streamKey, type StreamId } from '../store/event-envelope.js';

/** FNV-1a: a stable hash, so a stream's partition never changes between processes or releases. */
const fnv1a = (text: string): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
};

/** All events of one stream fall in one partition, so per-stream order is kept. */
export const partitionOf = (stream: StreamId, partitions: number): number => fnv1a(streamKey(stream)) % partitions;
