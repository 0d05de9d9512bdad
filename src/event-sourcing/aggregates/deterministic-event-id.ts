import { createHash } from 'node:crypto';

/** A hash's first 16 bytes as a UUID of that version (RFC 9562: 5 for SHA-1 names, 8 for a layout of one's own). */
export const uuidOf = (hash: Buffer, version: 5 | 8): string => {
  const bytes = Buffer.from(hash.subarray(0, 16));
  bytes[6] = (bytes[6] & 0x0f) | (version << 4);
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/** A name-based UUID (RFC 9562 version 5 layout): the same name always gives the same id. */
export const nameBasedId = (name: string): string => uuidOf(createHash('sha1').update(name).digest(), 5);

/** The id of the n-th event a command produces, so a retried command carries the same event ids and the store stores it once. */
export const deterministicEventId = (commandId: string, index: number): string => nameBasedId(`chronicle:${commandId}:${index}`);
