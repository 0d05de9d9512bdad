import { BadRequestException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { CommandPrecondition } from '../aggregates/aggregate-repository.js';
import type { Actor } from '../domain/actor.js';
import type { CommandMetadata } from '../domain/decider.js';
import type { CommandCaller } from './http-command.js';

// Not `.` or `..` (isDotSegment): the event browser addresses a correlation by its id in a path.
const HEADER_ID = /^(?!\.{1,2}$)[\w.:-]{1,128}$/;

export const CORRELATION_HEADER = 'x-correlation-id';

const CORRELATION_ID = Symbol('correlationId');
/** The request's correlation id once made; `null`: the caller's header is malformed. */
type WithCorrelationId = FastifyRequest & { [CORRELATION_ID]?: string | null };

/**
 * The request's correlation id: the caller's `x-correlation-id`, or one made on first use and
 * kept on the request, so whoever asks first (the app's request hook, a log line, the command)
 * and whoever asks later get the same. A malformed header gives none (`undefined`): a command
 * then refuses it (`commandMetadata`), and any other request is served as before.
 */
export const correlationIdOf = (request: FastifyRequest): string | undefined => {
  const memo = request as WithCorrelationId;
  if (memo[CORRELATION_ID] === undefined) {
    const header = request.headers[CORRELATION_HEADER];
    const valid = typeof header === 'string' && HEADER_ID.test(header);
    memo[CORRELATION_ID] = header === undefined ? randomUUID() : valid ? header : null;
  }
  return memo[CORRELATION_ID] ?? undefined;
};

const commandCorrelationId = (request: FastifyRequest): string => {
  const id = correlationIdOf(request);
  if (id === undefined) {
    const message = `${CORRELATION_HEADER} must be 1-128 characters of [A-Za-z0-9_.:-]`;
    throw new BadRequestException({ code: 'INVALID_HEADER', message });
  }
  return id;
};

/**
 * The facts a command carries from its HTTP request: time, caller, tenant and trace ids. A
 * keyed request's command id comes from its Idempotency-Key, so a retry derives the same event
 * ids (the repository gives any other command a fresh id). The correlation id is the caller's
 * `x-correlation-id`, or the one made for this request: the command starts a business process,
 * and the request's log line names the same one.
 */
export const commandMetadata = (request: FastifyRequest, actor: Actor, tenantId: string): CommandMetadata => ({
  now: new Date().toISOString(),
  actor,
  tenantId,
  commandId: (request as FastifyRequest & CommandCaller).commandId,
  requestId: request.id,
  correlationId: commandCorrelationId(request),
});

/** `If-Match: "7"` → 7; `If-Match: *` → the stream must exist; absent → undefined; anything else is a 400. */
export const expectedVersionFrom = (request: FastifyRequest): CommandPrecondition | undefined => {
  const header = request.headers['if-match'];
  if (header === undefined) return undefined;
  if (typeof header === 'string' && header.trim() === '*') return 'stream_exists';
  const match = typeof header === 'string' ? /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim()) : null;
  if (!match) throw new BadRequestException({ code: 'INVALID_IF_MATCH', message: 'If-Match must be an ETag such as "3"' });
  return Number(match[1]);
};

/**
 * Refuses a command's malformed headers (x-correlation-id, If-Match) with the 400 the command
 * would give: the idempotency guard calls it before claiming a key, so such a refusal is never
 * stored as the key's answer.
 */
export const checkCommandHeaders = (request: FastifyRequest): void => {
  commandCorrelationId(request);
  expectedVersionFrom(request);
};

export const etagOf = (version: number): string => `"${version}"`;
