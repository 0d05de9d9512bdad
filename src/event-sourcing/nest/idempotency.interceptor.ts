import {
  BadRequestException,
  ConflictException,
  HttpException,
  Inject,
  Injectable,
  UnprocessableEntityException,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { CommandIds } from './command-ids.js';
import { toErrorResponse, type ErrorBody } from './error-response.js';
import type { CommandCaller } from './http-command.js';
import { IDEMPOTENCY_KEY_TTL_HOURS, PG_POOL_TOKEN } from './event-sourcing.tokens.js';

const KEY = /^[\x21-\x7e]{1,255}$/;
const REPLAYED_HEADERS = ['etag', 'location', 'x-correlation-id'] as const;
const WAIT_STEP_MS = 20;
const WAIT_LIMIT_MS = 15_000;
const ABANDONED_AFTER_S = 60;
/** Expired keys each claim deletes (besides its own): more than one, so deletion outpaces claims. */
const SWEPT_PER_CLAIM = 10;
/** A refusal whose body is larger is stored without its details: a replay keeps the status and code. */
const MAX_STORED_REFUSAL_CHARS = 2_048;

interface StoredResponse {
  fingerprint: string;
  /** Null while no request with the key runs: the last one failed on our side and released it. */
  attempted_at: Date | null;
  status_code: number | null;
  headers: Record<string, string> | null;
  body: unknown;
}

export interface IdempotentRequest extends CommandCaller {
  /** Set for a keyed request: the command id its events derive their ids from. */
  commandId?: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Refusals cost the caller nothing to provoke, and a large body (one naming thousands of
 * unknown fields) was stored whole: one over the limit keeps its code and the start of its message.
 */
const storableRefusal = (body: ErrorBody): ErrorBody => {
  if (JSON.stringify(body).length <= MAX_STORED_REFUSAL_CHARS) return body;
  const { code, message } = body.error;
  const shortened = `${message.slice(0, 200)}… (shortened; the first answer's details are not kept)`;
  return { error: { code, message: shortened, details: {} } };
};

/**
 * `Idempotency-Key` on a command: the first request runs and its status and body are
 * stored; a repeat (even a concurrent one, which waits) gets the same answer and appends
 * nothing. Keys belong to a tenant and a user. Server errors and 429s are not stored, so they
 * can be retried. A key expires `IDEMPOTENCY_KEY_TTL_HOURS` after its first use: a request with it
 * then runs anew, as a new command. The command id (which the events' ids derive from) is
 * that of the key's lifetime: a retry after a crash or a server error derives the same ids,
 * so the store keeps what the first attempt appended once; a reuse after expiry derives new
 * ones, so it is never mistaken for its predecessor.
 *
 * Expired keys are deleted opportunistically, a few by every claim of a key, in the claim's own
 * statement: keys only accumulate through claims, so this keeps the table bounded by the keys
 * of one TTL without a timer, a leader among processes or an extra round trip, and costs
 * nothing while idle (SKIP LOCKED: concurrent claims never wait on each other's sweep).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    @Inject(PG_POOL_TOKEN) private readonly pool: Pool,
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(CommandIds) private readonly commandIds: CommandIds,
    @Inject(IDEMPOTENCY_KEY_TTL_HOURS) private readonly ttlHours: number,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest & IdempotentRequest>();
    const key = request.headers['idempotency-key'];
    if (key === undefined || request.method === 'GET' || !request.actor) return next.handle();
    if (typeof key !== 'string' || !KEY.test(key)) {
      throw new BadRequestException({ code: 'INVALID_IDEMPOTENCY_KEY', message: 'Idempotency-Key must be 1-255 visible ASCII characters' });
    }
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    // The tenant the access guard admitted the caller to; none for a command that creates its tenant.
    const tenant = request.tenantId ?? '';
    const scope = [tenant, request.actor.userId, key] as const;
    const fingerprint = sha256(`${request.method} ${request.url} ${JSON.stringify(request.body ?? null)}`);
    const status = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ?? (request.method === 'POST' ? 201 : 200);
    return from(this.run(scope, fingerprint, status, request, reply, next));
  }

  private async run(
    scope: readonly [string, string, string],
    fingerprint: string,
    status: number,
    request: IdempotentRequest,
    reply: FastifyReply,
    next: CallHandler,
  ): Promise<unknown> {
    // A key whose request died mid-way (a crash: it never completed) is taken over after a
    // while, instead of answering "in progress" forever; a released or expired one at once.
    // Only an expired one starts a new lifetime (created_at), which the command id derives from.
    const claimed = await this.pool.query<{ lifetime: string }>(
      `WITH swept AS (
         DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM idempotency_keys
           WHERE created_at < now() - make_interval(hours => $6) AND (tenant_id, user_id, key) <> ($1, $2, $3)
           LIMIT $7 FOR UPDATE SKIP LOCKED))
       )
       INSERT INTO idempotency_keys (tenant_id, user_id, key, fingerprint) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, user_id, key) DO UPDATE SET
         fingerprint = excluded.fingerprint, attempted_at = now(),
         status_code = NULL, headers = NULL, body = NULL, completed_at = NULL,
         created_at = CASE WHEN idempotency_keys.created_at < now() - make_interval(hours => $6)
                      THEN now() ELSE idempotency_keys.created_at END
       WHERE idempotency_keys.created_at < now() - make_interval(hours => $6)
          OR (idempotency_keys.status_code IS NULL AND (idempotency_keys.attempted_at IS NULL
              OR idempotency_keys.attempted_at < now() - make_interval(secs => $5)))
       RETURNING (extract(epoch FROM created_at) * 1000000)::bigint::text AS lifetime`,
      [...scope, fingerprint, ABANDONED_AFTER_S, this.ttlHours, SWEPT_PER_CLAIM],
    );
    if (claimed.rowCount === 0) return this.replay(scope, fingerprint, reply);
    request.commandId = this.commandIds.of([...scope, claimed.rows[0].lifetime]);
    try {
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      const headers = Object.fromEntries(
        REPLAYED_HEADERS.flatMap((name) => (reply.hasHeader(name) ? [[name, String(reply.getHeader(name))]] : [])),
      );
      await this.complete(scope, status, headers, body ?? null);
      return body;
    } catch (error) {
      const response = toErrorResponse(error);
      // With the database gone the key cannot be released: it is taken over once abandoned, and
      // the caller gets this request's own error rather than the release's.
      if (response.status >= 500 || response.status === 429) await this.release(scope).catch(() => undefined);
      else await this.complete(scope, response.status, {}, storableRefusal(response.body));
      throw error;
    }
  }

  private async complete(scope: readonly string[], status: number, headers: Record<string, string>, body: unknown) {
    await this.pool.query(
      `UPDATE idempotency_keys SET status_code = $4, headers = $5, body = $6, completed_at = now()
       WHERE tenant_id = $1 AND user_id = $2 AND key = $3`,
      [...scope, status, JSON.stringify(headers), JSON.stringify(body)],
    );
  }

  /** The next request with the key runs at once, in the same lifetime: it may find what this one appended. */
  private async release(scope: readonly string[]) {
    await this.pool.query(
      `UPDATE idempotency_keys SET attempted_at = NULL WHERE tenant_id = $1 AND user_id = $2 AND key = $3`,
      [...scope],
    );
  }

  /** A key seen before: wait for the first request to finish, then answer exactly as it did. */
  private async replay(scope: readonly string[], fingerprint: string, reply: FastifyReply): Promise<unknown> {
    for (let waited = 0; waited < WAIT_LIMIT_MS; waited += WAIT_STEP_MS) {
      const { rows } = await this.pool.query<StoredResponse>(
        `SELECT fingerprint, attempted_at, status_code, headers, body FROM idempotency_keys
         WHERE tenant_id = $1 AND user_id = $2 AND key = $3`,
        [...scope],
      );
      const stored = rows[0];
      // The first attempt failed on our side and released the key (or it expired and was deleted).
      if (!stored || (stored.status_code === null && stored.attempted_at === null)) break;
      if (stored.fingerprint !== fingerprint) {
        throw new UnprocessableEntityException({
          code: 'IDEMPOTENCY_KEY_REUSED',
          message: 'This Idempotency-Key was used for a different request',
        });
      }
      if (stored.status_code !== null) {
        if (stored.status_code >= 400) {
          const { error } = stored.body as { error: Record<string, unknown> };
          throw new HttpException(error, stored.status_code);
        }
        for (const [name, value] of Object.entries(stored.headers ?? {})) void reply.header(name, value);
        void reply.header('idempotent-replayed', 'true');
        return stored.body;
      }
      await sleep(WAIT_STEP_MS);
    }
    throw new ConflictException({ code: 'IDEMPOTENCY_KEY_IN_PROGRESS', message: 'A request with this Idempotency-Key is still running; retry later' });
  }
}
