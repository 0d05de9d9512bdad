import { getMetadataStorage, ValidationTypes } from 'class-validator';
import fc from 'fast-check';
import type { PayloadClass } from '../store/payload-class.js';
import { targetOf } from '../store/plain-to-instance-model.js';

type Arbitrary = fc.Arbitrary<unknown>;
type ValidationMetadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];

/** How often a value is swapped for a nasty one: rarely enough that whole payloads are often valid. */
const NASTY_WEIGHT = 1;
const VALID_WEIGHT = 30;

/** Values that break types, bounds and assumptions: what a mutated payload holds in place of a valid value. */
const nasty: Arbitrary = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    undefined,
    '',
    ' ',
    'NaN',
    '1e400',
    '__proto__',
    NaN,
    Infinity,
    -0,
    2 ** 53 + 1,
    1e308,
    -1,
    1.5,
    true,
    [],
    [null],
    {},
    Object.create(null),
    JSON.parse('{"__proto__": {"polluted": true}}'),
    { constructor: 'x' },
    { toString: 1, valueOf: [] },
  ),
  fc.jsonValue({ maxDepth: 2 }),
  fc.anything({ maxDepth: 2, withNullPrototype: true, withSparseArray: true, withBoxedValues: true, withDate: true }),
);

/** Keys no payload class declares, some of which plainToInstance or a prototype treats specially. */
const extraKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'extra'),
  fc.string(),
);

// The days and times the core's own IsCalendarDay and IsInstant take: 0001-01-01 to 9999-12-31.
const calendarDate = fc.date({ min: new Date('0001-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });

const constraintName = (metadata: ValidationMetadata): string =>
  getMetadataStorage().getTargetValidatorConstraints(metadata.constraintCls)[0]?.name ?? '';

const numberOf = (metadatas: readonly ValidationMetadata[], name: string): number | undefined => {
  const found = metadatas.find((metadata) => constraintName(metadata) === name);
  return typeof found?.constraints[0] === 'number' ? found.constraints[0] : undefined;
};

/** A value of one item of a property, as its constraints suggest: mostly valid, often just wrong. */
const itemArbitrary = (metadatas: readonly ValidationMetadata[], depth: number, target?: PayloadClass): Arbitrary => {
  if (target) return depth > 3 ? fc.constant({}) : classArbitrary(target, depth + 1);
  const names = new Set(metadatas.map(constraintName));
  const length = metadatas.find((metadata) => constraintName(metadata) === 'isLength')?.constraints ?? [];
  const [minLength, maxLength] = [length[0] as number | undefined, length[1] as number | undefined];
  const min = numberOf(metadatas, 'min') ?? -1_000;
  const max = numberOf(metadatas, 'max') ?? 1_000;
  const pattern = metadatas.find((metadata) => constraintName(metadata) === 'matches')?.constraints[0];
  const allowed = metadatas.find((metadata) => constraintName(metadata) === 'isIn')?.constraints[0];
  if (Array.isArray(allowed)) return fc.constantFrom<unknown>(...allowed);
  if (pattern instanceof RegExp) return fc.stringMatching(pattern);
  if (names.has('isUuid')) return fc.uuid();
  if (names.has('isIso8601')) return fc.date({ noInvalidDate: true }).map((date) => date.toISOString());
  if (names.has('isCalendarDay')) return calendarDate.map((date) => date.toISOString().slice(0, 10));
  if (names.has('isInstant')) return calendarDate.map((date) => date.toISOString());
  if (names.has('isEmail')) return fc.emailAddress();
  if (names.has('isInt')) return fc.integer({ min: Math.max(min, -1e9), max: Math.min(max, 1e9) });
  if (names.has('isNumber')) return fc.double({ min, max, noNaN: true });
  if (names.has('isBoolean')) return fc.boolean();
  if (names.has('isObject') || names.has('isNotEmptyObject')) {
    return fc.dictionary(extraKey, fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 4 });
  }
  if (names.has('isString') || minLength !== undefined) return fc.string({ minLength, maxLength: maxLength ?? 20 });
  return fc.jsonValue({ maxDepth: 1 });
};

const sometimesNasty = (arbitrary: Arbitrary): Arbitrary =>
  fc.oneof({ weight: VALID_WEIGHT, arbitrary }, { weight: NASTY_WEIGHT, arbitrary: nasty });

const propertyArbitrary = (payload: PayloadClass, property: string, metadatas: ValidationMetadata[], depth: number) => {
  const target = targetOf(payload, property) ?? undefined;
  const item = sometimesNasty(itemArbitrary(metadatas, depth, target));
  const names = new Set(metadatas.map(constraintName));
  const isArray = names.has('isArray') || metadatas.some((metadata) => metadata.each === true);
  const value = isArray
    ? fc.array(item, {
        minLength: numberOf(metadatas, 'arrayMinSize') ?? 0,
        maxLength: Math.min(numberOf(metadatas, 'arrayMaxSize') ?? 5, 25),
      })
    : item;
  const conditional = metadatas.some((metadata) => metadata.type === ValidationTypes.CONDITIONAL_VALIDATION);
  return conditional ? fc.option(value, { nil: undefined }) : value;
};

/**
 * Payloads for a class-validator class, from its own metadata: values its constraints suggest (nested classes as
 * class-transformer's `@Type` makes them), each sometimes swapped for a nasty one, a key sometimes missing, and
 * sometimes an extra key (`__proto__`, `constructor`, …) at any depth.
 */
export const classArbitrary = (payload: PayloadClass, depth = 0): fc.Arbitrary<Record<string, unknown>> => {
  const storage = getMetadataStorage();
  // The arguments validateSync(instance, options) passes: no schema, no groups.
  const metadatas = storage.getTargetValidationMetadatas(payload, undefined as unknown as string, false, false);
  const properties = Object.fromEntries(
    Object.entries(storage.groupByPropertyName(metadatas)).map(([property, grouped]) => [
      property,
      propertyArbitrary(payload, property, grouped, depth),
    ]),
  );
  const extras = fc.oneof(
    { weight: VALID_WEIGHT, arbitrary: fc.constant({}) },
    { weight: NASTY_WEIGHT, arbitrary: fc.dictionary(extraKey, nasty, { minKeys: 1, maxKeys: 2 }) },
  );
  const missing = fc.oneof(
    { weight: VALID_WEIGHT, arbitrary: fc.constant(undefined) },
    { weight: NASTY_WEIGHT, arbitrary: fc.constantFrom(undefined, ...Object.keys(properties)) },
  );
  return fc.tuple(fc.record(properties), extras, missing).map(([data, extra, absent]) => {
    const payloadData: Record<string, unknown> = { ...data };
    if (absent !== undefined) delete payloadData[absent];
    // Defined, not assigned: `__proto__` becomes an own key, as JSON.parse makes it.
    for (const [key, value] of Object.entries(extra)) {
      Object.defineProperty(payloadData, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return payloadData;
  });
};
