import type { RawBodyRequest } from '@nestjs/common';
import type { FastifyBodyParser, FastifyInstance, FastifyRequest } from 'fastify';
import { problemInJsonText } from './json-text-scan.js';
import { inputProblemException } from './unreasonable-input.js';

/**
 * A route that must see the body's bytes as they came (a signature over them) says so with
 * `@RouteConfig({ rawBody: true })`, and reads them as `RawBodyRequest['rawBody']`: the buffer is
 * the one parsed anyway, kept only for such routes.
 */
const wantsRawBody = (request: FastifyRequest): boolean =>
  (request.routeOptions.config as { rawBody?: unknown } | undefined)?.rawBody === true;

/** Structured-syntax JSON types (RFC 6839), e.g. application/merge-patch+json; Fastify lower-cases the type first. */
const PLUS_JSON = /^application\/[a-z0-9!#$&^_.+-]+\+json(;|$)/;

/**
 * The API takes JSON only: every other body is 415 UNSUPPORTED_MEDIA_TYPE, as the README
 * promises. Fastify parses text/plain by default (a JSON body sent as text reached validation
 * as a string), and Nest, unless told `bodyParser: false`, adds
 * application/x-www-form-urlencoded (a form POST added a member); so every parser goes,
 * and Fastify's own JSON parser, with prototype poisoning refused, comes back for
 * application/json and +json types, behind a scan of the text for too many fields or levels.
 */
export const acceptJsonBodiesOnly = (fastify: FastifyInstance): void => {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  const parseWithinLimits: FastifyBodyParser<Buffer> = (request, text, done) => {
    if (wantsRawBody(request)) (request as RawBodyRequest<FastifyRequest>).rawBody = text;
    const problem = problemInJsonText(text);
    if (problem) done(inputProblemException(problem, 'body'), undefined);
    else parseJson(request, text.toString('utf8'), done);
  };
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, parseWithinLimits);
  fastify.addContentTypeParser(PLUS_JSON, { parseAs: 'buffer' }, parseWithinLimits);
};
