import { BadRequestException } from '@nestjs/common';
import { isStorableText } from '../store/storable-text.js';

/** No request of ours nests deeper; much deeper bodies overflow class-transformer's recursion (a 500). */
export const MAX_BODY_DEPTH = 32;

export type InputProblem = { readonly code: 'BODY_TOO_DEEP' } | { readonly code: 'UNSUPPORTED_CHARACTER'; readonly field: string };

const fieldOf = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/**
 * The first thing in parsed input (a JSON body, the path parameters, the query) that no
 * route may see: nesting deeper than MAX_BODY_DEPTH, or a key or string PostgreSQL cannot
 * store. Iterative and one pass, so any input is safe to check in time linear in its size.
 */
export const problemIn = (input: unknown): InputProblem | null => {
  if (typeof input === 'string') return isStorableText(input) ? null : { code: 'UNSUPPORTED_CHARACTER', field: '' };
  const pending: { value: unknown; depth: number; path: string }[] = [{ value: input, depth: 0, path: '' }];
  while (pending.length > 0) {
    const { value, depth, path } = pending.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) return { code: 'BODY_TOO_DEEP' };
    for (const [key, child] of Object.entries(value)) {
      if (!isStorableText(key) || (typeof child === 'string' && !isStorableText(child))) {
        return { code: 'UNSUPPORTED_CHARACTER', field: fieldOf(path, key) };
      }
      if (child !== null && typeof child === 'object') pending.push({ value: child, depth: depth + 1, path: fieldOf(path, key) });
    }
  }
  return null;
};

/** 400 UNSUPPORTED_CHARACTER naming where the text came from, e.g. ('path', 'practiceId'). */
export const unsupportedCharacter = (location: string, field: string): BadRequestException =>
  new BadRequestException({
    code: 'UNSUPPORTED_CHARACTER',
    message: `${field || 'The value'} in the ${location} holds a NUL character or half of a UTF-16 surrogate pair, `
      + 'which cannot be stored',
    details: { location, field },
  });

const toException = (problem: InputProblem, location: string): BadRequestException =>
  problem.code === 'BODY_TOO_DEEP'
    ? new BadRequestException({ code: 'BODY_TOO_DEEP', message: `JSON bodies may nest at most ${MAX_BODY_DEPTH} levels deep` })
    : unsupportedCharacter(location, problem.field);

/**
 * A Fastify preValidation hook: refuses, before any guard, pipe or statement sees them, path
 * parameters, queries and bodies that nest too deep or hold text PostgreSQL cannot store.
 */
export const rejectUnreasonableInput = async (request: { params?: unknown; query?: unknown; body?: unknown }): Promise<void> => {
  for (const [location, input] of [['path', request.params], ['query', request.query], ['body', request.body]] as const) {
    const problem = problemIn(input);
    if (problem) throw toException(problem, location);
  }
};
