import { createHash } from 'node:crypto';

/** A name-based UUID (RFC 9562 version 5 layout): the same name always gives the same id. */
export const nameBasedId = (name: string): string => {
  const hash = createHash('sha1').update(name).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/** The id of the n-th event a command produces, so a retried command carries the same event ids and the store stores it once. */
export const deterministicEventId = (commandId: string, index: number): string => nameBasedId(`chronicle:${commandId}:${index}`);
