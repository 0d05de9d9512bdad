import {
  BadRequestException,
  ConflictException,
  HttpException,
  Inject,
  Injectable,
  UnprocessableEntityException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { CommandIds } from '../aggregates/command-ids.js';
import { checkCommandHeaders } from './command-metadata.js';
import type { CommandCaller } from './http-command.js';
import { fingerprintOf } from './idempotency-fingerprint.js';
import { IdempotencyKeys, type KeyScope } from './idempotency-keys.js';
import { answerStoredFor } from './idempotent-answers.js';
import { ReplayedAnswer } from './replayed-answer.js';

const KEY = /^[\x21-\x7e]{1,255}$/;
/** Reads change nothing, so there is nothing to answer once: a key on one is ignored. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const WAIT_STEP_MS = 20;
const WAIT_LIMIT_MS = 15_000;

/**
 * `Idempotency-Key` on a command: the first request runs and its status and body are
 * stored; a repeat (even a concurrent one, which waits) gets the same answer and appends
 * nothing. Keys belong to a tenant and a user. Server errors and 429s are not stored, so they
 * can be retried. A key expires `IDEMPOTENCY_KEY_TTL_HOURS` after its first use: a request with it
 * then runs anew, as a new command, once none with it is running. The command id (which the
 * events' ids derive from) is that of the key's lifetime: a retry after a crash or a server
 * error derives the same ids, so the store keeps what the first attempt appended once; a reuse
 * after expiry derives new ones, so it is never mistaken for its predecessor. A key stays bound
 * to its first request (`fingerprintOf`) for its whole lifetime, released or not: another
 * request under it would otherwise run with the first one's command id.
 *
 * The app's last global guard: the caller is authenticated, admitted to the tenant and within
 * its limits before a key is claimed, so a refused request claims none. The answer is stored
 * on its way out (`storeIdempotentAnswers`); a repeat's is sent by `ErrorResponseFilter`.
 * A guard, not an interceptor: any interceptor makes Nest wrap every route's handler in an
 * rxjs chain, which cost a command 3–6% of its CPU (bench/README.md).
 */
@Injectable()
export class IdempotencyGuard implements CanActivate {
  constructor(
    @Inject(IdempotencyKeys) private readonly keys: IdempotencyKeys,
    @Inject(CommandIds) private readonly commandIds: CommandIds,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & CommandCaller>();
    const key = request.headers['idempotency-key'];
    if (key === undefined || SAFE_METHODS.has(request.method) || !request.actor) return true;
    if (typeof key !== 'string' || !KEY.test(key)) {
      throw new BadRequestException({ code: 'INVALID_IDEMPOTENCY_KEY', message: 'Idempotency-Key must be 1-255 visible ASCII characters' });
    }
    // The tenant the access guard admitted the caller to; none for a command that creates its tenant.
    const scope: KeyScope = [request.tenantId ?? '', request.actor.userId, key];
    // A malformed header is refused before the claim, as a malformed key is: x-correlation-id is
    // no part of the fingerprint, so a stored 400 would answer the corrected retry for a day.
    checkCommandHeaders(request);
    const fingerprint = fingerprintOf(request);
    const claim = await this.keys.claim(scope, fingerprint);
    if (claim === null) return this.replay(scope, fingerprint);
    request.commandId = this.commandIds.of([...scope, claim.lifetime]);
    answerStoredFor(request, claim);
    return true;
  }

  /** A key seen before: wait for the first request to finish, then answer exactly as it did. */
  private async replay(scope: KeyScope, fingerprint: string): Promise<never> {
    for (let waited = 0; waited < WAIT_LIMIT_MS; waited += WAIT_STEP_MS) {
      const stored = await this.keys.stored(scope);
      // It expired and was deleted since the claim.
      if (!stored) break;
      // Even when its request failed on our side and released it: that request may have been stored.
      if (stored.fingerprint !== fingerprint) {
        throw new UnprocessableEntityException({
          code: 'IDEMPOTENCY_KEY_REUSED',
          message: 'This Idempotency-Key was used for a different request',
        });
      }
      // The first attempt failed on our side and released the key after our claim was refused.
      if (stored.status_code === null && stored.attempted_at === null) break;
      if (stored.status_code !== null) {
        if (stored.status_code >= 400) {
          const { error } = stored.body as { error: Record<string, unknown> };
          throw new HttpException(error, stored.status_code);
        }
        throw new ReplayedAnswer(stored.status_code, { ...stored.headers, 'idempotent-replayed': 'true' }, stored.body);
      }
      await sleep(WAIT_STEP_MS);
    }
    throw new ConflictException({ code: 'IDEMPOTENCY_KEY_IN_PROGRESS', message: 'A request with this Idempotency-Key is still running; retry later' });
  }
}
