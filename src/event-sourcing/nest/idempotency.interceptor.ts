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
import { toErrorResponse } from './error-response.js';
import { PG_POOL_TOKEN } from './event-sourcing.tokens.js';

const KEY = /^[\x21-\x7e]{1,255}$/;
const REPLAYED_HEADERS = ['etag', 'location'] as const;
const WAIT_STEP_MS = 20;
const WAIT_LIMIT_MS = 15_000;
const ABANDONED_AFTER_S = 60;

interface StoredResponse {
  fingerprint: string;
  status_code: number | null;
  headers: Record<string, string> | null;
  body: unknown;
}

export interface IdempotentRequest {
  actor?: { userId: string };
  /** Set for a keyed request: the command id its events derive their ids from. */
  commandId?: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * `Idempotency-Key` on a command: the first request runs and its status and body are
 * stored; a repeat (even a concurrent one, which waits) gets the same answer and appends
 * nothing. Keys belong to a tenant and a user. Server errors are not stored, so they can be
 * retried.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    @Inject(PG_POOL_TOKEN) private readonly pool: Pool,
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(CommandIds) private readonly commandIds: CommandIds,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest & IdempotentRequest>();
    const key = request.headers['idempotency-key'];
    if (key === undefined || request.method === 'GET' || !request.actor) return next.handle();
    if (typeof key !== 'string' || !KEY.test(key)) {
      throw new BadRequestException({ code: 'INVALID_IDEMPOTENCY_KEY', message: 'Idempotency-Key must be 1-255 visible ASCII characters' });
    }
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const tenant = String((request.params as Record<string, unknown>)?.practiceId ?? '');
    const scope = [tenant, request.actor.userId, key] as const;
    const fingerprint = sha256(`${request.method} ${request.url} ${JSON.stringify(request.body ?? null)}`);
    request.commandId = this.commandIds.of(scope);
    const status = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ?? (request.method === 'POST' ? 201 : 200);
    return from(this.run(scope, fingerprint, status, reply, next));
  }

  private async run(
    scope: readonly [string, string, string],
    fingerprint: string,
    status: number,
    reply: FastifyReply,
    next: CallHandler,
  ): Promise<unknown> {
    // A key whose first request died mid-way (a crash: it never completed) is taken over
    // after a while, instead of answering "in progress" forever.
    const claimed = await this.pool.query(
      `INSERT INTO idempotency_keys (tenant_id, user_id, key, fingerprint) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, user_id, key) DO UPDATE SET fingerprint = excluded.fingerprint, created_at = now()
       WHERE idempotency_keys.status_code IS NULL AND idempotency_keys.created_at < now() - make_interval(secs => $5)
       RETURNING 1`,
      [...scope, fingerprint, ABANDONED_AFTER_S],
    );
    if (claimed.rowCount === 0) return this.replay(scope, fingerprint, reply);
    try {
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      const headers = Object.fromEntries(
        REPLAYED_HEADERS.flatMap((name) => (reply.hasHeader(name) ? [[name, String(reply.getHeader(name))]] : [])),
      );
      await this.complete(scope, status, headers, body ?? null);
      return body;
    } catch (error) {
      const response = toErrorResponse(error);
      if (response.status >= 500) await this.pool.query(`DELETE FROM idempotency_keys WHERE tenant_id = $1 AND user_id = $2 AND key = $3`, [...scope]);
      else await this.complete(scope, response.status, {}, response.body);
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

  /** A key seen before: wait for the first request to finish, then answer exactly as it did. */
  private async replay(scope: readonly string[], fingerprint: string, reply: FastifyReply): Promise<unknown> {
    for (let waited = 0; waited < WAIT_LIMIT_MS; waited += WAIT_STEP_MS) {
      const { rows } = await this.pool.query<StoredResponse>(
        `SELECT fingerprint, status_code, headers, body FROM idempotency_keys WHERE tenant_id = $1 AND user_id = $2 AND key = $3`,
        [...scope],
      );
      const stored = rows[0];
      if (!stored) break; // the first attempt failed on our side and released the key
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
