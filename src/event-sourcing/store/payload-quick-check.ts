import {
  getMetadataStorage,
  ValidationTypes,
  type MetadataStorage,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import type { PayloadClass } from './payload-class.js';
import {
  agreesWithClassTransformer,
  buildInstance,
  isPlainProperty,
  targetOf,
  UNSUPPORTED,
  type InstanceShape,
} from './plain-to-instance-model.js';

/**
 * True only when the payload certainly passes `validateSync(plainToInstance(payload, data),
 * { whitelist, forbidNonWhitelisted, forbidUnknownValues })`; false means "ask
 * class-validator", never "invalid". The class's decorators stay the schema and
 * class-validator stays the judge of every refusal and its messages.
 *
 * Why: on the append path plainToInstance and validateSync cost ~5–8 µs per event for a flat payload and
 * ~25 µs for an order with a few lines, mostly metadata look-ups, copying and error bookkeeping. The same
 * instances can be built with constructor calls and plain assignments (`plain-to-instance-model.ts`), and
 * the same constraint functions run directly, in class-validator's order, on class-validator's metadata.
 */
export type QuickCheck = (data: Record<string, unknown>) => boolean;

/**
 * The instance `plainToInstance(payload, data)` builds, when that instance certainly passes
 * validation; undefined means "ask class-validator", never "invalid".
 */
export type QuickInstance = (data: Record<string, unknown>) => object | undefined;

/**
 * Which validation the answer must agree with: validateSync skips asynchronous constraints,
 * validate (a ValidationPipe's) runs them; a class with any then always defers.
 */
export type ConstraintsRun = 'sync-only' | 'all';

type ValidationMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];
type Condition = (object: object, value: unknown) => boolean;

/** One constraint function with what validateSync reads of its metadata, flat for the hot loop. */
interface Constraint {
  readonly validator: ValidatorConstraintInterface;
  readonly each: boolean;
  readonly validateIf: Condition | undefined;
  readonly constraints: unknown[];
}

interface PropertyCheck {
  readonly property: string;
  /** IsOptional, ValidateIf: the property's constraints run only if every one holds. */
  readonly conditions: readonly Condition[];
  readonly constraints: readonly Constraint[];
  /** One per `@ValidateNested`: the class check of the objects it reaches. */
  readonly nested: readonly ClassCheck[];
}

interface ClassCheck extends InstanceShape {
  readonly targetName: string;
  readonly checks: PropertyCheck[];
  /** False when class-validator refuses the class (no metadata) or uses a kind not handled here. */
  handled: boolean;
}

const NEVER: QuickInstance = () => undefined;

/** The kinds handled here; anything else (promise, …) goes to class-validator. */
const HANDLED = new Set<string>([
  ValidationTypes.CUSTOM_VALIDATION,
  ValidationTypes.IS_DEFINED,
  ValidationTypes.CONDITIONAL_VALIDATION,
  ValidationTypes.WHITELIST,
  ValidationTypes.NESTED_VALIDATION,
]);

/** The check of nested values class-validator refuses (plain objects) or reads under a schema name. */
const UNHANDLED: ClassCheck = {
  payload: Object,
  targetName: 'Object',
  properties: new Set(),
  targets: new Map(),
  modelled: false,
  checks: [],
  handled: false,
};

/** validateSync's own walk, on an instance built by the model: true only if it would find no error. */
const classPasses = (check: ClassCheck, instance: Record<string, unknown>): boolean => {
  if (!check.handled) return false;
  // whitelist + forbidNonWhitelisted: every property of the instance must carry a decorator.
  for (const key of Object.keys(instance)) if (!check.properties.has(key)) return false;
  for (const property of check.checks) if (!propertyPasses(check.targetName, property, instance)) return false;
  return true;
};

/** What class-validator's nested validation accepts: undefined, arrays of such, objects that pass. */
const nestedPasses = (check: ClassCheck, value: unknown): boolean => {
  if (value === undefined) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (!nestedPasses(check, item)) return false;
    return true;
  }
  return typeof value === 'object' && value !== null && classPasses(check, value as Record<string, unknown>);
};

const propertyPasses = (targetName: string, check: PropertyCheck, instance: Record<string, unknown>): boolean => {
  const { property, conditions, constraints, nested } = check;
  const value = instance[property];
  for (const condition of conditions) if (!condition(instance, value)) return true;
  for (const { validator, each, validateIf, constraints: values } of constraints) {
    if (validateIf && !validateIf(instance, value)) continue;
    const args: ValidationArguments = { targetName, property, object: instance, value, constraints: values };
    // Anything but a plain `true` (false, a promise, a truthy oddity) is class-validator's call.
    if (each && Array.isArray(value)) {
      for (const item of value) if (validator.validate(item, args) !== true) return false;
    } else if (validator.validate(value, args) !== true) return false;
  }
  for (const nestedCheck of nested) if (!nestedPasses(nestedCheck, value)) return false;
  return true;
};

/** Compiles the class checks of a payload class and of every class its payloads nest, once each. */
class QuickCheckCompiler {
  private readonly storage = getMetadataStorage();
  private readonly checks = new Map<PayloadClass, ClassCheck>();

  constructor(private readonly run: ConstraintsRun) {}

  classCheck(payload: PayloadClass): ClassCheck {
    const known = this.checks.get(payload);
    if (known) return known;
    const metadatas = this.metadatasOf(payload, undefined);
    const grouped = this.storage.groupByPropertyName(metadatas);
    const properties = new Set(Object.keys(grouped));
    const targets = new Map<string, ClassCheck>();
    const handled = metadatas.length > 0;
    const { name: targetName } = payload;
    const check: ClassCheck = { payload, targetName, properties, targets, modelled: true, checks: [], handled };
    this.checks.set(payload, check); // before the nested classes, which may nest this one
    for (const property of properties) {
      const target = isPlainProperty(payload, property) ? targetOf(payload, property) : null;
      if (target === null) check.modelled = false;
      else if (target !== undefined) targets.set(property, this.classCheck(target));
      const propertyCheck = this.propertyCheck(property, grouped[property], targets.get(property));
      if (propertyCheck === null) check.handled = false;
      else check.checks.push(propertyCheck);
    }
    return check;
  }

  /** Checks every compiled class against class-transformer, once the whole graph is known. */
  calibrate(): void {
    for (const check of this.checks.values()) if (check.modelled) check.modelled = agreesWithClassTransformer(check);
  }

  /** The arguments validateSync(instance, options) passes: no groups; a nested class gets its parent's name. */
  private metadatasOf(payload: PayloadClass, schema: string | undefined): ValidationMetadata[] {
    return this.storage.getTargetValidationMetadatas(payload, schema as string, false, false);
  }

  /** The checks class-validator would run for one property, in its order; null if one is not handled. */
  private propertyCheck(
    property: string,
    metadatas: readonly ValidationMetadata[],
    target: ClassCheck | undefined,
  ): PropertyCheck | null {
    const conditions: Condition[] = [];
    const constraints: Constraint[] = [];
    const nested: ClassCheck[] = [];
    for (const metadata of metadatas) {
      if (!HANDLED.has(metadata.type)) return null;
      const { type } = metadata;
      if (type === ValidationTypes.CONDITIONAL_VALIDATION) conditions.push(metadata.constraints[0] as Condition);
      if (type === ValidationTypes.NESTED_VALIDATION) nested.push(this.nestedCheck(metadata, target));
      if (type !== ValidationTypes.CUSTOM_VALIDATION && type !== ValidationTypes.IS_DEFINED) continue;
      for (const constraint of this.storage.getTargetValidatorConstraints(metadata.constraintCls)) {
        // validateSync skips asynchronous constraints; validate runs them, which is class-validator's call.
        if (constraint.async && this.run === 'all') return null;
        if (constraint.async) continue;
        const { each, validateIf, constraints: values } = metadata;
        constraints.push({ validator: constraint.instance, each: each === true, validateIf, constraints: values });
      }
    }
    return { property, conditions, constraints, nested };
  }

  /**
   * class-validator validates a nested object against its own class under the parent's name as schema;
   * that differs from the class's own metadata only for schemas registered by name, left to class-validator.
   */
  private nestedCheck(metadata: ValidationMetadata, target: ClassCheck | undefined): ClassCheck {
    if (!target) return UNHANDLED; // a plain object: class-validator finds no metadata and refuses it
    const schema = typeof metadata.target === 'string' ? metadata.target : metadata.target.name;
    const own = this.metadatasOf(target.payload, undefined);
    const underSchema = this.metadatasOf(target.payload, schema);
    const same = own.length === underSchema.length && own.every((candidate, index) => candidate === underSchema[index]);
    return same ? target : UNHANDLED;
  }
}

/** Builds the quick instance of a class, or one that always defers when the class cannot be modelled. */
export const compileQuickInstance = (payload: PayloadClass, run: ConstraintsRun): QuickInstance => {
  const compiler = new QuickCheckCompiler(run);
  const root = compiler.classCheck(payload);
  if (!root.handled || !root.modelled) return NEVER; // forbidUnknownValues refuses a class without metadata
  compiler.calibrate();
  if (!root.modelled) return NEVER;
  return (data) => {
    const instance = buildInstance(root, data);
    return instance !== UNSUPPORTED && classPasses(root, instance as Record<string, unknown>) ? (instance as object) : undefined;
  };
};

/** Builds the quick check of a payload class (against validateSync), or one that always defers. */
export const compileQuickCheck = (payload: PayloadClass): QuickCheck => {
  const instance = compileQuickInstance(payload, 'sync-only');
  return (data) => instance(data) !== undefined;
};
