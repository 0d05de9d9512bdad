import { BadRequestException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { CommandPrecondition } from '../aggregates/aggregate-repository.js';
import type { Actor } from '../domain/actor.js';
import type { CommandMetadata } from '../domain/decider.js';
import type { IdempotentRequest } from './idempotency.interceptor.js';

const HEADER_ID = /^[\w.:-]{1,128}$/;

const optionalHeader = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !HEADER_ID.test(value)) {
    throw new BadRequestException({ code: 'INVALID_HEADER', message: `${name} must be 1-128 characters of [A-Za-z0-9_.:-]` });
  }
  return value;
};

export const CORRELATION_HEADER = 'x-correlation-id';

/**
 * The facts a command carries from its HTTP request: time, caller, tenant and trace ids. A
 * keyed request's command id comes from its Idempotency-Key, so a retry derives the same event
 * ids (the repository gives any other command a fresh id). The correlation id is the caller's
 * `x-correlation-id`, or a new one: the command starts a business process.
 */
export const commandMetadata = (request: FastifyRequest, actor: Actor, tenantId: string): CommandMetadata => ({
  now: new Date().toISOString(),
  actor,
  tenantId,
  commandId: (request as FastifyRequest & IdempotentRequest).commandId,
  requestId: request.id,
  correlationId: optionalHeader(request, CORRELATION_HEADER) ?? randomUUID(),
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

export const etagOf = (version: number): string => `"${version}"`;
