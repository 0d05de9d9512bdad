import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError, type DomainErrorKind } from '../domain/domain-error.js';
import {
  ConcurrencyError,
  EventIdReused,
  EventStoreError,
  InvalidAppendRequest,
  InvalidEventPayload,
  StreamNotFound,
  UnknownEventType,
} from '../store/event-store.errors.js';
import { isDatabaseUnavailable, isStatementCancelled } from '../store/database-unavailable.js';
import { listedViolations } from '../store/field-violations.js';

/** The one error body every route answers with. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details: Record<string, unknown> };
}

export interface ErrorResponse {
  readonly status: number;
  readonly body: ErrorBody;
  /** Headers the answer carries besides the body (Retry-After). */
  readonly headers?: Readonly<Record<string, string>>;
}

const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  'not-found': HttpStatus.NOT_FOUND,
  'rule-violated': HttpStatus.UNPROCESSABLE_ENTITY,
  conflict: HttpStatus.CONFLICT,
  forbidden: HttpStatus.FORBIDDEN,
};

const respond = (status: number, code: string, message: string, details: Record<string, unknown> = {}): ErrorResponse => ({
  status,
  body: { error: { code, message, details } },
});

const statusCode = (status: number): string => HttpStatus[status] ?? `HTTP_${status}`;

const fromStoreError = (error: EventStoreError): ErrorResponse => {
  if (error instanceof ConcurrencyError) {
    return respond(409, error.code, error.message, {
      expectedVersion: error.expectedVersion,
      actualVersion: error.actualVersion,
    });
  }
  if (error instanceof UnknownEventType) return respond(400, error.code, error.message, { eventType: error.eventType });
  if (error instanceof InvalidEventPayload) {
    const details = { eventType: error.eventType, ...listedViolations(error.violations) };
    return respond(400, error.code, error.message, details);
  }
  if (error instanceof InvalidAppendRequest) return respond(400, error.code, error.message);
  if (error instanceof EventIdReused) return respond(409, error.code, error.message, { eventIds: error.eventIds });
  if (error instanceof StreamNotFound) return respond(404, error.code, error.message);
  return respond(400, error.code, error.message);
};

const fromHttpException = (error: HttpException): ErrorResponse => {
  const status = error.getStatus();
  const response = error.getResponse();
  if (typeof response === 'object' && response !== null && 'code' in response) {
    const { code, message, details } = response as { code: string; message?: string; details?: Record<string, unknown> };
    return respond(status, code, message ?? error.message, details ?? {});
  }
  // Another library's structured body (e.g. terminus' health report) is kept as the details.
  const details = typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {};
  return respond(status, statusCode(status), error.message, details);
};

/** Fastify's own errors (bad JSON, body too large, wrong content type) carry a statusCode. */
const fromFastifyError = (error: { statusCode: number; code?: string; message: string }): ErrorResponse => {
  const codes: Record<string, string> = {
    FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
    FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
    FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
    FST_ERR_BAD_URL: 'MALFORMED_URL',
  };
  const code = (error.code && codes[error.code]) ?? (error instanceof SyntaxError ? 'MALFORMED_JSON' : statusCode(error.statusCode));
  return respond(error.statusCode, code, error.message);
};

const isClientError = (error: unknown): error is { statusCode: number; code?: string; message: string } =>
  typeof error === 'object' &&
  error !== null &&
  typeof (error as { statusCode?: unknown }).statusCode === 'number' &&
  (error as { statusCode: number }).statusCode >= 400 &&
  (error as { statusCode: number }).statusCode < 500;

/**
 * PostgreSQL cannot hold a NUL character (U+0000) in text or jsonb (22021, 22P05): such input
 * can never be stored nor match anything stored, so it is the request's fault, not ours.
 */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);
const isUnstorableText = (error: unknown): boolean =>
  error instanceof Error && UNSTORABLE_TEXT.has(String((error as { code?: unknown }).code));

const DATABASE_RETRY_AFTER_SECONDS = 2;
const retryShortly = { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) };

/** 503 DATABASE_UNAVAILABLE with Retry-After: what was asked may or may not have been stored. */
export const databaseUnavailable = (message = 'The database is unavailable; retry shortly'): ErrorResponse => ({
  ...respond(503, 'DATABASE_UNAVAILABLE', message),
  headers: retryShortly,
});

/** Maps anything thrown while serving a request to a status and the one error body. */
export const toErrorResponse = (error: unknown): ErrorResponse => {
  if (error instanceof DomainError) return respond(STATUS_BY_KIND[error.kind], error.code, error.message, error.details);
  if (error instanceof EventStoreError) return fromStoreError(error);
  // Nest wraps Fastify's own errors (bad JSON, body too large) in an HttpException.
  if (error instanceof HttpException && isClientError(error.cause)) return fromFastifyError(error.cause);
  if (error instanceof HttpException) return fromHttpException(error);
  if (isClientError(error)) return fromFastifyError(error);
  if (isUnstorableText(error)) return respond(400, 'UNSUPPORTED_CHARACTER', 'The request contains a NUL character (\\u0000), which cannot be stored');
  if (isDatabaseUnavailable(error)) return databaseUnavailable();
  if (isStatementCancelled(error)) {
    return { ...respond(503, 'DATABASE_TIMEOUT', 'The database did not finish this request in time; retry shortly'), headers: retryShortly };
  }
  return respond(500, 'INTERNAL_ERROR', 'Something went wrong on our side; it has been logged');
};
