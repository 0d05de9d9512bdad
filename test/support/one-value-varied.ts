import { kindOf, type ValueKind } from './awkward-values.js';

/** A valid request to one route, from which requests with one value varied are made. */
export interface ValidRequest {
  readonly method: 'GET' | 'POST' | 'PATCH';
  /** With `:name` placeholders for the path parameters. */
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly body?: Readonly<Record<string, unknown>>;
  /** Fields the request may leave out: each is sent only when it is the one varied. */
  readonly optional: readonly string[];
}

/** Where the varied value goes, and what kind of value is valid there. */
export type Slot = (
  | { readonly kind: 'path' | 'query'; readonly name: string }
  | { readonly kind: 'body'; readonly field: readonly string[] }
  | { readonly kind: 'whole-body' }
) & { readonly values: ValueKind };

export const isInUrl = (slot: Slot): boolean => slot.kind === 'path' || slot.kind === 'query';

/** Every field of a body, nested ones (an event's payload) included, as paths. */
const fieldsOf = (value: Readonly<Record<string, unknown>>, parent: readonly string[] = []): string[][] =>
  Object.entries(value).flatMap(([key, child]) =>
    child !== null && typeof child === 'object' && !Array.isArray(child)
      ? [[...parent, key], ...fieldsOf(child as Record<string, unknown>, [...parent, key])]
      : [[...parent, key]],
  );

const valueAt = (body: unknown, field: readonly string[]): unknown =>
  field.reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], body);

/** Each path and query parameter, each body field, one unknown of each, and the whole body (GET has none). */
export const slotsOf = (valid: ValidRequest): Slot[] => {
  const path = Object.entries(valid.params).map(([name, value]) => ({ kind: 'path' as const, name, values: kindOf(value) }));
  const query = [...Object.entries(valid.query), ['unknown', '']].map(([name, value]) => ({
    kind: 'query' as const,
    name,
    values: kindOf(value),
  }));
  if (valid.method === 'GET') return [...path, ...query];
  const fields = [...fieldsOf(valid.body ?? {}), ...valid.optional.map((field) => [field]), ['unknown']];
  const body = fields.map((field) => ({ kind: 'body' as const, field, values: kindOf(valueAt(valid.body, field)) }));
  return [...path, ...query, ...body, { kind: 'whole-body', values: 'text' }];
};

/** Stands for the varied value in a body until its raw JSON text replaces it. */
const MARK = '@@value-under-test@@';

const bodyWith = (valid: ValidRequest, slot: Slot, value: string): string | undefined => {
  if (slot.kind === 'whole-body') return value;
  if (slot.kind !== 'body') return valid.body && JSON.stringify(valid.body);
  const copy = structuredClone(valid.body ?? {}) as Record<string, unknown>;
  const parent = slot.field.slice(0, -1).reduce((object, key) => object[key] as Record<string, unknown>, copy);
  parent[slot.field.at(-1)!] = MARK;
  return JSON.stringify(copy).replace(JSON.stringify(MARK), () => value);
};

/** The valid request with `value` in the slot: URL text in the path or query (sent as is), raw JSON text in the body. */
export const requestWith = (valid: ValidRequest, slot: Slot, value: string) => {
  const inSlot = (kind: 'path' | 'query', name: string) => slot.kind === kind && slot.name === name;
  const path = valid.path.replace(/:(\w+)/g, (_, name: string) =>
    inSlot('path', name) ? value : encodeURIComponent(valid.params[name]),
  );
  const query = Object.entries({ ...valid.query, ...(slot.kind === 'query' ? { [slot.name]: value } : {}) }).map(
    ([name, text]) => `${name}=${inSlot('query', name) ? text : encodeURIComponent(text)}`,
  );
  const url = query.length > 0 ? `${path}?${query.join('&')}` : path;
  return { method: valid.method, url, body: bodyWith(valid, slot, value) };
};
