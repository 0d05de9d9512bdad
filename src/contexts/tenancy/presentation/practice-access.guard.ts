import { BadRequestException, ForbiddenException, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { RequestWithActor } from '../../../auth/current-actor.decorator.js';
import type { CommandCaller } from '../../../event-sourcing/index.js';
import { MembershipLookup } from '../application/membership-lookup.js';
import { isAtLeast, type Role } from '../domain/role.js';
import { PRACTICE_ROLE } from './practice-access.decorator.js';

const practiceIdOf = (request: FastifyRequest): unknown =>
  (request.params as Record<string, unknown> | undefined)?.practiceId ??
  (request.body as Record<string, unknown> | undefined)?.practiceId;

/**
 * Tenancy at the door: a caller who is not a member of the practice gets 403 whatever ids
 * they try, before any read or write. System actors get no pass here: over HTTP (where a
 * gateway header may claim to be one) they are members like anyone; in-process flows such
 * as sagas call the command bus directly.
 */
@Injectable()
export class PracticeAccessGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(MembershipLookup) private readonly memberships: MembershipLookup,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const required = this.reflector.getAllAndOverride<Role | undefined>(PRACTICE_ROLE, [context.getHandler(), context.getClass()]);
    if (!required) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & RequestWithActor & CommandCaller>();
    const actor = request.actor;
    if (!actor) return false;
    const practiceId = practiceIdOf(request);
    if (typeof practiceId !== 'string' || practiceId.length === 0 || practiceId.length > 255) {
      throw new BadRequestException({ code: 'VALIDATION_FAILED', message: 'practiceId must be a non-empty string' });
    }
    // Text PostgreSQL cannot store never gets here (rejectUnreasonableInput checks path and body):
    // the lookup shares its statement with other requests.
    const role = await this.memberships.roleOf(practiceId, actor.userId);
    if (!role) {
      throw new ForbiddenException({ code: 'NOT_A_MEMBER', message: `You are not a member of practice ${practiceId}` });
    }
    if (!isAtLeast(role, required)) {
      throw new ForbiddenException({ code: 'ROLE_TOO_LOW', message: `This needs the ${required} role; you are ${role}` });
    }
    request.tenantId = practiceId; // the tenant commands, idempotency keys and rate limits run under
    return true;
  }
}
