import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { expectedVersionFrom } from './command-metadata.js';

/**
 * What makes two requests under one Idempotency-Key the same request: method, URL, body and
 * If-Match, as the command reads it (`"3"` and `W/"3"` are one). If-Match changes the answer
 * (409 for a version the aggregate left), so a retry with another one is another request
 * (422 IDEMPOTENCY_KEY_REUSED), not the replay of an answer to a different question.
 * x-correlation-id is left out: a client may trace each attempt under a new id, and a retry
 * gets the first answer, with the first's id. Without If-Match the text is the one hashed
 * before it counted, so keys stored then still match their retries.
 */
export const fingerprintOf = (request: FastifyRequest): string => {
  const precondition = expectedVersionFrom(request);
  const ifMatch = precondition === undefined ? '' : ` if-match:${precondition}`;
  const text = `${request.method} ${request.url} ${JSON.stringify(request.body ?? null)}${ifMatch}`;
  return createHash('sha256').update(text).digest('hex');
};
