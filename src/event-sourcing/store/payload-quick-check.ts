import { TransformationType } from 'class-transformer';
import { defaultMetadataStorage as transformerMetadata } from 'class-transformer/cjs/storage.js';
import {
  getMetadataStorage,
  ValidationTypes,
  type MetadataStorage,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import type { PayloadClass } from './payload-class.js';

/**
 * True only when the payload certainly passes `validateSync(plainToInstance(payload, data),
 * { whitelist, forbidNonWhitelisted, forbidUnknownValues })`; false means "ask
 * class-validator", never "invalid". The class's decorators stay the schema and
 * class-validator stays the judge of every refusal and its messages.
 *
 * Why: on the append path plainToInstance and validateSync cost ~5–8 µs per event, mostly
 * copying and error bookkeeping. For a flat payload (primitive values, no class-transformer
 * decorators, no nested or `each` validation) the same instance can be built with a
 * constructor call and plain assignments, and the same constraint functions run directly.
 */
export type QuickCheck = (data: Record<string, unknown>) => boolean;

type ValidationMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];
type Condition = (object: object, value: unknown) => boolean;

interface Constraint {
  readonly metadata: ValidationMetadata;
  readonly validator: ValidatorConstraintInterface;
}

interface PropertyCheck {
  readonly property: string;
  /** IsOptional, ValidateIf: the property's constraints run only if every one holds. */
  readonly conditions: readonly Condition[];
  readonly constraints: readonly Constraint[];
}

const NEVER: QuickCheck = () => false;

/** The kinds handled here; anything else (nested, promise, …) goes to class-validator. */
const HANDLED = new Set<string>([
  ValidationTypes.CUSTOM_VALIDATION,
  ValidationTypes.IS_DEFINED,
  ValidationTypes.CONDITIONAL_VALIDATION,
  ValidationTypes.WHITELIST,
]);

/** plainToInstance copies a property as is only if class-transformer has nothing to say about it. */
const transformerIgnores = (payload: PayloadClass, property: string): boolean =>
  transformerMetadata.findTypeMetadata(payload, property) === undefined &&
  transformerMetadata.findExposeMetadata(payload, property) === undefined &&
  transformerMetadata.findExcludeMetadata(payload, property) === undefined &&
  transformerMetadata.findTransformMetadatas(payload, property, TransformationType.PLAIN_TO_CLASS).length === 0;

const isPlainProperty = (payload: PayloadClass, property: string): boolean =>
  // plainToInstance skips `__proto__`, `constructor`, getters and methods; such names go the long way.
  !(property in payload.prototype) && property !== '__proto__' && property !== 'constructor';

/** The checks class-validator would run for one property, in its order; null if one is not handled. */
const propertyCheck = (
  storage: MetadataStorage,
  property: string,
  metadatas: readonly ValidationMetadata[],
): PropertyCheck | null => {
  const conditions: Condition[] = [];
  const constraints: Constraint[] = [];
  for (const metadata of metadatas) {
    if (!HANDLED.has(metadata.type) || metadata.each) return null;
    if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION) conditions.push(metadata.constraints[0] as Condition);
    if (metadata.type !== ValidationTypes.CUSTOM_VALIDATION && metadata.type !== ValidationTypes.IS_DEFINED) continue;
    for (const constraint of storage.getTargetValidatorConstraints(metadata.constraintCls)) {
      // validateSync skips asynchronous constraints.
      if (!constraint.async) constraints.push({ metadata, validator: constraint.instance });
    }
  }
  return { property, conditions, constraints };
};

/** Builds the quick check of a payload class, or one that always defers when the class is not flat. */
export const compileQuickCheck = (payload: PayloadClass): QuickCheck => {
  const storage = getMetadataStorage();
  // The arguments validateSync(instance, options) passes: no schema, no groups.
  const metadatas = storage.getTargetValidationMetadatas(payload, undefined as unknown as string, false, false);
  if (metadatas.length === 0) return NEVER; // forbidUnknownValues refuses such a class
  if (
    transformerMetadata.getStrategy(payload) !== 'none' ||
    transformerMetadata.getExposedMetadatas(payload).length > 0 ||
    transformerMetadata.getExcludedMetadatas(payload).length > 0
  ) {
    return NEVER;
  }
  const grouped = storage.groupByPropertyName(metadatas);
  const properties = new Set(Object.keys(grouped));
  const checks: PropertyCheck[] = [];
  for (const property of properties) {
    if (!isPlainProperty(payload, property) || !transformerIgnores(payload, property)) return NEVER;
    const check = propertyCheck(storage, property, grouped[property]);
    if (check === null) return NEVER;
    checks.push(check);
  }
  const targetName = payload.name;

  return (data) => {
    // What plainToInstance builds from flat data: a constructed instance with every key copied.
    const instance = new payload() as Record<string, unknown>;
    if (instance.constructor !== payload) return false;
    for (const key of Object.keys(data)) {
      const value = data[key];
      if (!properties.has(key) || (typeof value === 'object' && value !== null) || typeof value === 'function') {
        return false;
      }
      if (typeof instance[key] === 'function') return false;
      instance[key] = value;
    }
    // whitelist + forbidNonWhitelisted: every property of the instance must carry a decorator.
    for (const key of Object.keys(instance)) if (!properties.has(key)) return false;
    for (const { property, conditions, constraints } of checks) {
      const value = instance[property];
      if (!conditions.every((condition) => condition(instance, value))) continue;
      for (const { metadata, validator } of constraints) {
        if (metadata.validateIf && !metadata.validateIf(instance, value)) continue;
        const args: ValidationArguments = {
          targetName,
          property,
          object: instance,
          value,
          constraints: metadata.constraints,
        };
        // Anything but a plain `true` (false, a promise, a truthy oddity) is class-validator's call.
        if (validator.validate(value, args) !== true) return false;
      }
    }
    return true;
  };
};
