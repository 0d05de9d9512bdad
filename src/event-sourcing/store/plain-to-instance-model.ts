import { plainToInstance } from 'class-transformer';
import type { PayloadClass } from './payload-class.js';

/**
 * A model of what class-transformer's `plainToInstance` builds from JSON data for one payload class, learnt
 * through its public API only: its metadata storage is not exported, so instead of reading the decorators,
 * the model asks `plainToInstance` which class an object at each property becomes (`@Type`), then checks
 * itself against `plainToInstance` on a battery of probe values. A class whose properties are renamed,
 * excluded, exposed, converted or transformed on any probe is not modelled, and its payloads take the long way.
 */
export interface InstanceShape {
  readonly payload: PayloadClass;
  /** The keys the model copies: the properties class-validator knows (any other key is refused or dropped). */
  readonly properties: ReadonlySet<string>;
  /** The shape an object (or array items) at a property becomes; absent: a plain copy. */
  readonly targets: ReadonlyMap<string, InstanceShape>;
  /** False once a probe showed plainToInstance building something else, or the class cannot be modelled. */
  modelled: boolean;
}

/** What `buildInstance` returns for data the model does not cover: the caller defers to class-transformer. */
export const UNSUPPORTED = Symbol('unsupported');

/** plainToInstance skips `__proto__`, `constructor`, getters and methods; such names are not modelled. */
export const isPlainProperty = (payload: PayloadClass, property: string): boolean =>
  !(property in payload.prototype) && property !== '__proto__' && property !== 'constructor';

/** An object plainToInstance copies key by key: `{…}` as JSON.parse makes it, or one without a prototype. */
const isPlainObject = (value: object): value is Record<string, unknown> => {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/** plainToInstance's rule for a key of an object it copies into `{}`: it leaves out what `{}` has a method for. */
const copySkips = (copy: Record<string, unknown>, key: string): boolean => {
  if (key === '__proto__' || key === 'constructor') return true;
  const descriptor = Object.getOwnPropertyDescriptor(Object.prototype, key);
  return (descriptor !== undefined && !descriptor.set) || copy[key] instanceof Function;
};

/** An object without a class (no `@Type`): plainToInstance copies it into `{}`, key by key. */
const copyObject = (value: Record<string, unknown>): unknown => {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (copySkips(copy, key)) continue;
    const item = copyValue(value[key], undefined);
    if (item === UNSUPPORTED) return UNSUPPORTED;
    copy[key] = item;
  }
  return copy;
};

const copyValue = (value: unknown, target: InstanceShape | undefined): unknown => {
  if (value === null || value === undefined) return value;
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') return value;
  if (type !== 'object') return UNSUPPORTED; // functions, symbols, bigints
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return UNSUPPORTED;
    const copy: unknown[] = [];
    for (let index = 0; index < value.length; index++) {
      if (!(index in value)) return UNSUPPORTED; // plainToInstance drops holes
      const item = copyValue(value[index], target);
      if (item === UNSUPPORTED) return UNSUPPORTED;
      copy.push(item);
    }
    return copy;
  }
  if (!isPlainObject(value as object)) return UNSUPPORTED;
  if (target) return buildInstance(target, value as Record<string, unknown>);
  // Without a class, plainToInstance takes the object's own `constructor` key, if any, for its class.
  const { constructor } = value as { constructor?: unknown };
  if (constructor !== Object && constructor !== undefined) return UNSUPPORTED;
  return copyObject(value as Record<string, unknown>);
};

/** The instance plainToInstance(shape.payload, data) builds, or UNSUPPORTED when the model cannot say. */
export const buildInstance = (shape: InstanceShape, data: Record<string, unknown>): unknown => {
  if (!shape.modelled) return UNSUPPORTED;
  const instance = new shape.payload() as Record<string, unknown>;
  if (instance.constructor !== shape.payload) return UNSUPPORTED;
  for (const key of Object.keys(data)) {
    // A method or function field set by the constructor: plainToInstance skips the key.
    if (!shape.properties.has(key) || typeof instance[key] === 'function') return UNSUPPORTED;
    const value = copyValue(data[key], shape.targets.get(key));
    if (value === UNSUPPORTED) return UNSUPPORTED;
    instance[key] = value;
  }
  return instance;
};

/** What plainToInstance reads of any object: its `then` (a promise?) and `constructor` (its class, if none given). */
const READ_OF_ANY_OBJECT = new Set<string | symbol>(['then', 'constructor']);

/**
 * An object that notes the names read or tested on it that it does not have. plainToInstance reads only own keys
 * and those of READ_OF_ANY_OBJECT; anything else is a decorator's function looking into the data: a discriminator
 * (`@Type(…, { discriminator })`), or a `@Type` function choosing the class from other values.
 */
const watched = (target: object, lookedInto: Set<string | symbol>): object =>
  new Proxy(target, {
    get: (object, key, receiver) => {
      if (!Object.hasOwn(object, key) && !READ_OF_ANY_OBJECT.has(key)) lookedInto.add(key);
      return Reflect.get(object, key, receiver) as unknown;
    },
    has: (object, key) => {
      lookedInto.add(key);
      return Reflect.has(object, key);
    },
  });

/**
 * The class plainToInstance makes of an object at `property`: undefined for a plain copy, null when it makes no
 * object of one, or chooses by looking into the data.
 */
export const targetOf = (payload: PayloadClass, property: string): PayloadClass | undefined | null => {
  const lookedInto = new Set<string | symbol>();
  try {
    const built = plainToInstance(payload, watched({ [property]: watched({}, lookedInto) }, lookedInto));
    plainToInstance(payload, watched({ [property]: [watched({}, lookedInto)] }, lookedInto));
    const value = (built as Record<string, unknown>)[property];
    if (lookedInto.size > 0 || typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    return isPlainObject(value) ? undefined : (value.constructor as PayloadClass);
  } catch {
    return null;
  }
};

const propertyOf = (object: object, key: string): unknown => (object as Record<string, unknown>)[key];

/** Same classes, same own keys, same values (`Object.is`), all the way down. */
const sameBuild = (expected: unknown, actual: unknown): boolean => {
  if (typeof expected !== 'object' || expected === null || typeof actual !== 'object' || actual === null) {
    return Object.is(expected, actual);
  }
  if (Object.getPrototypeOf(expected) !== Object.getPrototypeOf(actual)) return false;
  const keys = Object.keys(expected);
  if (keys.length !== Object.keys(actual).length) return false;
  return keys.every(
    (key) => Object.hasOwn(actual, key) && sameBuild(propertyOf(expected, key), propertyOf(actual, key)),
  );
};

// Values a transform, a conversion (`@Type(() => String)`, dates) or a renaming would change;
// text beyond ASCII too (composed and decomposed letters, a ligature, an astral character), which
// a Unicode normalisation changes and ASCII never shows.
const SAMPLES: readonly unknown[] = [
  '  Mixed Case 42 ',
  'Ééé e\u0301 \ufb01 \u{1f600} İ ß',
  '',
  '42',
  'true',
  '2030-01-02T03:04:05Z',
  0,
  -1.5,
  42,
  2 ** 53 + 2,
  1e21,
  true,
  false,
  null,
  [],
  ['a', 1, null],
  [[1]],
  {},
  [{}],
  { a: 'b' },
];

const samplesFor = (target: InstanceShape | undefined): unknown[] => {
  const nested = [...(target?.properties ?? [])].flatMap((key) => [{ [key]: 'x' }, [{ [key]: 1 }]]);
  return [...SAMPLES, ...nested];
};

/** Each probe as a function: plainToInstance may change its input (discriminators delete a key). */
const probesOf = (shape: InstanceShape): (() => Record<string, unknown>)[] => {
  const properties = [...shape.properties];
  const perProperty = properties.flatMap((property) =>
    samplesFor(shape.targets.get(property)).map((sample) => () => ({ [property]: structuredClone(sample) })),
  );
  const allAtOnce = SAMPLES.map(
    (sample) => () => Object.fromEntries(properties.map((property) => [property, structuredClone(sample)])),
  );
  return [() => ({}), ...allAtOnce, ...perProperty];
};

/** Whether plainToInstance builds what the model builds on every probe the model covers. */
export const agreesWithClassTransformer = (shape: InstanceShape): boolean =>
  probesOf(shape).every((probe) => {
    const built = buildInstance(shape, probe());
    if (built === UNSUPPORTED) return true;
    try {
      return sameBuild(plainToInstance(shape.payload, probe()), built);
    } catch {
      return false;
    }
  });
