import type { FastifyInstance } from 'fastify';

/** Structured-syntax JSON types (RFC 6839), e.g. application/merge-patch+json; Fastify lower-cases the type first. */
const PLUS_JSON = /^application\/[a-z0-9!#$&^_.+-]+\+json(;|$)/;

/**
 * The API takes JSON only: every other body is 415 UNSUPPORTED_MEDIA_TYPE, as the README
 * promises. Fastify parses text/plain by default (a JSON body sent as text reached validation
 * as a string), and Nest, unless told `bodyParser: false`, adds
 * application/x-www-form-urlencoded (a form POST added a member); so every parser goes,
 * and Fastify's own JSON parser, with prototype poisoning refused, comes back for
 * application/json and +json types.
 */
export const acceptJsonBodiesOnly = (fastify: FastifyInstance): void => {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, parseJson);
  fastify.addContentTypeParser(PLUS_JSON, { parseAs: 'string' }, parseJson);
};
