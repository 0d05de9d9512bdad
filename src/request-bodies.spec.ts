import 'reflect-metadata';
import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import fc from 'fast-check';
import { ReplayRequest } from './admin/admin.requests.js';
import { ProviderCallbackRequest } from './contexts/payments/presentation/payments.requests.js';
import {
  CancelReservationRequest,
  ChangeReservationRequest,
  CreateReservationRequest,
} from './contexts/reservations/presentation/reservations.requests.js';
import {
  AddMemberRequest,
  ChangeMemberRoleRequest,
  CreatePracticeRequest,
  UpdatePracticeRequest,
} from './contexts/tenancy/presentation/tenancy.requests.js';
import { requestValidationPipe, type PayloadClass } from './event-sourcing/index.js';
import { classArbitrary } from './event-sourcing/testing/index.js';
import { AppendEventRequest } from './events-api/events-api.requests.js';

/** Every request body class a route of the app takes (`@Body() body: …`). */
const REQUEST_BODIES: readonly PayloadClass[] = [
  AddMemberRequest,
  AppendEventRequest,
  CancelReservationRequest,
  ChangeMemberRoleRequest,
  ChangeReservationRequest,
  CreatePracticeRequest,
  CreateReservationRequest,
  ProviderCallbackRequest,
  ReplayRequest,
  UpdatePracticeRequest,
];

/** The pipe's own way alone: Nest's ValidationPipe with the app's options, no quick check. */
const longWay = (): ValidationPipe => {
  const app = requestValidationPipe() as unknown as { validatorOptions: object; exceptionFactory: unknown };
  return new ValidationPipe({ ...app.validatorOptions, transform: true, exceptionFactory: app.exceptionFactory as never });
};

type Outcome = { readonly accepted: unknown; readonly type: unknown } | { readonly refused: unknown };

const outcomeOf = async (pipe: ValidationPipe, data: unknown, metadata: ArgumentMetadata): Promise<Outcome> => {
  try {
    const accepted: unknown = await pipe.transform(data, metadata);
    return { accepted, type: (accepted as object | null)?.constructor };
  } catch (error) {
    return { refused: (error as { getResponse?: () => unknown }).getResponse?.() ?? String(error) };
  }
};

describe('the request validation pipe', () => {
  const quick = requestValidationPipe();
  const slow = longWay();

  it.each(REQUEST_BODIES.map((body) => [body.name, body] as const))(
    'answers %s bodies exactly as its own way does (the same instance, or the same refusal)',
    async (_, body) => {
      const metadata: ArgumentMetadata = { type: 'body', metatype: body, data: undefined };
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(classArbitrary(body), async (data) => {
          // As a body arrives: parsed JSON text (the pipes change what they are given, in place).
          const text = JSON.stringify(data);
          const fast = await outcomeOf(quick, JSON.parse(text), metadata);
          const own = await outcomeOf(slow, JSON.parse(text), metadata);
          if ('accepted' in own) accepted++;
          expect(fast).toEqual(own);
        }),
        { numRuns: 300 },
      );
      expect(accepted).toBeGreaterThan(0);
    },
  );
});
