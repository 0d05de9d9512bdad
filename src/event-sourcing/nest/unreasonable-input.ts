import { BadRequestException } from '@nestjs/common';
import { isStorableText } from '../domain/storable-text.js';

/** No request of ours nests deeper; much deeper bodies overflow class-transformer's recursion (a 500). */
export const MAX_BODY_DEPTH = 32;

/**
 * Fields and array items a request may hold in all, however nested; ours hold a few dozen.
 * class-transformer and class-validator cost microseconds per value on the one thread (a
 * megabyte of small fields took seconds), and every unknown field was named in the error.
 */
export const MAX_FIELDS = 1_000;

export type InputProblem =
  | { readonly code: 'BODY_TOO_DEEP' | 'TOO_MANY_FIELDS' }
  | { readonly code: 'UNSUPPORTED_CHARACTER'; readonly field: string };

const fieldOf = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/**
 * The first thing in parsed input (a JSON body, the path parameters, the query) that no
 * route may see: nesting deeper than MAX_BODY_DEPTH, more than MAX_FIELDS fields and items,
 * or a key or string PostgreSQL cannot store. Iterative and one pass, so any input is safe
 * to check, in time linear in its size.
 */
export const problemIn = (input: unknown): InputProblem | null => {
  if (typeof input === 'string') return isStorableText(input) ? null : { code: 'UNSUPPORTED_CHARACTER', field: '' };
  const pending: { value: unknown; depth: number; path: string }[] = [{ value: input, depth: 0, path: '' }];
  let fields = 0;
  while (pending.length > 0) {
    const { value, depth, path } = pending.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) return { code: 'BODY_TOO_DEEP' };
    const keys = Object.keys(value);
    fields += keys.length;
    if (fields > MAX_FIELDS) return { code: 'TOO_MANY_FIELDS' };
    for (const key of keys) {
      const child = (value as Record<string, unknown>)[key];
      if (!isStorableText(key) || (typeof child === 'string' && !isStorableText(child))) {
        return { code: 'UNSUPPORTED_CHARACTER', field: fieldOf(path, key) };
      }
      if (child !== null && typeof child === 'object') {
        pending.push({ value: child, depth: depth + 1, path: fieldOf(path, key) });
      }
    }
  }
  return null;
};

/** 400 UNSUPPORTED_CHARACTER naming where the text came from, e.g. ('path', 'orderId'). */
export const unsupportedCharacter = (location: string, field: string): BadRequestException =>
  new BadRequestException({
    code: 'UNSUPPORTED_CHARACTER',
    message:
      `${field || 'The value'} in the ${location} holds a NUL character or half of a UTF-16 surrogate pair, ` +
      'which cannot be stored',
    details: { location, field },
  });

/** The 400 answering a problem found in the path, the query or the body. */
export const inputProblemException = (problem: InputProblem, location: string): BadRequestException => {
  switch (problem.code) {
    case 'BODY_TOO_DEEP':
      return new BadRequestException({
        code: 'BODY_TOO_DEEP',
        message: `JSON bodies may nest at most ${MAX_BODY_DEPTH} levels deep`,
      });
    case 'TOO_MANY_FIELDS':
      return new BadRequestException({
        code: 'TOO_MANY_FIELDS',
        message: `The ${location} holds over ${MAX_FIELDS} fields and array items`,
        details: { location, max: MAX_FIELDS },
      });
    case 'UNSUPPORTED_CHARACTER':
      return unsupportedCharacter(location, problem.field);
  }
};

/**
 * A Fastify preValidation hook: refuses, before any guard, pipe or statement sees them, path
 * parameters, queries and bodies that nest too deep, hold too many fields or hold text
 * PostgreSQL cannot store.
 */
export const rejectUnreasonableInput = async (request: { params?: unknown; query?: unknown; body?: unknown }) => {
  const parts = [['path', request.params], ['query', request.query], ['body', request.body]] as const;
  for (const [location, input] of parts) {
    const problem = problemIn(input);
    if (problem) throw inputProblemException(problem, location);
  }
};
