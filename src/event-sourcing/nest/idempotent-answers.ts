import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { databaseUnavailable, type ErrorBody } from './error-response.js';
import type { IdempotencyKeys, KeyClaim } from './idempotency-keys.js';

const CLAIMED = Symbol('claimedIdempotencyKey');
type ClaimingRequest = FastifyRequest & { [CLAIMED]?: KeyClaim };

const REPLAYED_HEADERS = ['etag', 'location', 'x-correlation-id'] as const;
/** A refusal whose body is larger is stored without its details: a replay keeps the status and code. */
const MAX_STORED_REFUSAL_CHARS = 2_048;

/** The request holds its key: its answer is stored as it goes out. */
export const answerStoredFor = (request: FastifyRequest, claim: KeyClaim): void => {
  (request as ClaimingRequest)[CLAIMED] = claim;
};

/**
 * The command ran to its end (its events may be stored) but its answer is not under the key: the
 * client learns neither success nor "nothing stored" (DATABASE_TIMEOUT's promise), whatever made
 * the store fail, and its retry with the key gets the command's one answer.
 */
const notRecorded = databaseUnavailable(
  'The answer could not be recorded under its Idempotency-Key: the command may or may not have been stored; retry with the same key',
);

/**
 * Refusals cost the caller nothing to provoke, and a large body (one naming thousands of
 * unknown fields) was stored whole: one over the limit keeps its code and the start of its message.
 */
const storableRefusal = (payload: string): string => {
  if (payload.length <= MAX_STORED_REFUSAL_CHARS) return payload;
  const { code, message } = (JSON.parse(payload) as ErrorBody).error;
  const shortened = `${message.slice(0, 200)}… (shortened; the first answer's details are not kept)`;
  return JSON.stringify({ error: { code, message: shortened, details: {} } });
};

const isJson = (reply: FastifyReply): boolean => String(reply.getHeader('content-type') ?? '').startsWith('application/json');

const replayedHeadersOf = (reply: FastifyReply): Record<string, string> =>
  Object.fromEntries(REPLAYED_HEADERS.flatMap((name) => (reply.hasHeader(name) ? [[name, String(reply.getHeader(name))]] : [])));

/**
 * Stores a keyed request's answer in Fastify's `onSend`, after the route and the error filter
 * made it and before its first byte leaves, so a retry that follows the answer always finds it.
 * A success or a refusal is stored as it went out; a server error or a 429 releases the key, so
 * a retry runs anew (its command id unchanged: it finds what this one appended). An answer that
 * cannot be stored (the database gone or too slow) becomes 503 DATABASE_UNAVAILABLE: the client
 * must not take a success whose key would not answer a retry the same way, nor a refusal that
 * says nothing was stored. A request whose claim was taken over (it ran past the abandonment
 * time) gets its own answer, unstored: the key answers with the request that holds it.
 */
export const storeIdempotentAnswers = (fastify: FastifyInstance, keys: IdempotencyKeys): void => {
  const logger = new Logger('Idempotency');
  const store = async (claim: KeyClaim, request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    const status = reply.statusCode;
    const text = typeof payload === 'string' ? payload : undefined;
    try {
      if (status >= 500 || status === 429 || (payload != null && (text === undefined || !isJson(reply)))) {
        // Not the command's answer, or not one a replay could send the same: the next request runs
        // anew. With the database gone the key stays taken until abandoned, and the caller gets
        // this request's own answer rather than the release's error.
        await keys.release(claim).catch(() => undefined);
        return payload;
      }
      const stored =
        status >= 400
          ? await keys.complete(claim, status, {}, storableRefusal(text ?? 'null'))
          : await keys.complete(claim, status, replayedHeadersOf(reply), text || 'null');
      if (!stored) logger.warn({ reqId: request.id, msg: `Idempotency-Key ${claim.scope[2]} was taken over while its request ran: its answer is not stored` });
      return payload;
    } catch (error) {
      logger.error({ reqId: request.id, msg: `the answer to Idempotency-Key ${claim.scope[2]} was not stored: ${(error as Error).stack ?? String(error)}` });
      await keys.release(claim).catch(() => undefined);
      reply.removeHeader('etag').removeHeader('location');
      void reply
        .code(notRecorded.status)
        .headers({ ...notRecorded.headers, 'content-type': 'application/json; charset=utf-8' });
      return JSON.stringify(notRecorded.body);
    }
  };
  // A callback hook: the requests without a key (nearly all) pass without a promise.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const claim = (request as ClaimingRequest)[CLAIMED];
    if (claim === undefined) return done(null, payload);
    void store(claim, request, reply, payload).then((answer) => done(null, answer));
  });
};
