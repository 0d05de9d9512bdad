import { randomUUID } from 'node:crypto';
import { nameBasedId } from '../aggregates/deterministic-event-id.js';

const ISSUED = Symbol('newIdsIssued');

/** A request that may carry the command id of its Idempotency-Key. */
export interface RequestIssuingIds {
  commandId?: string;
  [ISSUED]?: number;
}

/**
 * An id for something a command creates (a reservation, a practice) when the caller named
 * none. A keyed request's n-th is derived from its command id, so a retry whose first answer
 * was lost names the same thing and is answered as the first time, instead of creating another
 * or colliding with the first's event ids. The command id derives from the key under the
 * server's secret, so nobody can compute the id ahead. Other requests get a random one.
 */
export const newIdFor = (request: RequestIssuingIds): string => {
  if (request.commandId === undefined) return randomUUID();
  const issued = request[ISSUED] ?? 0;
  request[ISSUED] = issued + 1;
  return nameBasedId(`chronicle:${request.commandId}:new:${issued}`);
};
