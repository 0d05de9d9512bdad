import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { InvalidEventPayload, UnknownEventType } from './event-store.errors.js';
import { flattenViolations } from './field-violations.js';
import type { PersonalFields } from '../personal-data/personal-fields.js';
import type { PayloadClass } from './payload-class.js';
import { compileQuickCheck, type QuickCheck } from './payload-quick-check.js';

export type { PayloadClass };

/** Turns the data of schema version `from` into the shape of version `from + 1`. */
export interface Upcaster {
  readonly from: number;
  readonly upcast: (data: Record<string, unknown>) => Record<string, unknown>;
}

export interface EventTypeDefinition {
  readonly type: string;
  /** A class-validator class describing the current payload shape. */
  readonly payload: PayloadClass;
  /** The current schema version; new events are stored with it. Defaults to 1. */
  readonly schemaVersion?: number;
  /** One upcaster per older version: 1 → 2, 2 → 3, … */
  readonly upcasters?: readonly Upcaster[];
  /** Fields holding personal data, stored sealed with the subject's key (crypto-shredding). */
  readonly personal?: PersonalFields;
}

interface RegisteredType {
  readonly payload: PayloadClass;
  readonly schemaVersion: number;
  readonly upcasters: ReadonlyMap<number, Upcaster['upcast']>;
  readonly personal?: PersonalFields;
}

const checkPersonalFields = (type: string, { subject, fields }: PersonalFields): void => {
  if (!subject || fields.length === 0 || fields.some((field) => !field || field === subject)) {
    throw new Error(`Event type "${type}" declares personal fields wrongly: name a subject field and other fields`);
  }
};

/**
 * The upcasters of a type by the version they start from: exactly one from each version before
 * `schemaVersion`. One from the current version or later would never run: the likely slip is a
 * new payload and its upcaster registered without bumping `schemaVersion`, which stores new
 * events under the old version, for the upcaster to rewrite once the version is bumped.
 */
const upcastersOf = (type: string, schemaVersion: number, upcasters: readonly Upcaster[]): ReadonlyMap<number, Upcaster['upcast']> => {
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1) {
    throw new Error(`Event type "${type}" has schema version ${schemaVersion}: it must be a whole number from 1`);
  }
  const byVersion = new Map<number, Upcaster['upcast']>();
  for (const { from, upcast } of upcasters) {
    if (!Number.isInteger(from) || from < 1 || from >= schemaVersion) {
      throw new Error(
        `Event type "${type}" v${schemaVersion} has an upcaster from v${from}, which would never run: ` +
          `upcasters go from v1 to v${schemaVersion - 1} (bump schemaVersion with a new payload shape)`,
      );
    }
    if (byVersion.has(from)) throw new Error(`Event type "${type}" has two upcasters from v${from}: give one per version`);
    byVersion.set(from, upcast);
  }
  for (let version = 1; version < schemaVersion; version++) {
    if (!byVersion.has(version)) throw new Error(`Event type "${type}" v${schemaVersion} lacks an upcaster from v${version}`);
  }
  return byVersion;
};

/**
 * Every event type the application may store, with its payload schema, current schema
 * version and upcasters. Appends are validated against it; reads are upcast through it.
 */
export class EventRegistry {
  private readonly types = new Map<string, RegisteredType>();
  /** Built on a type's first validation, when any custom constraint container is set up. */
  private readonly quickChecks = new Map<string, QuickCheck>();

  register(...definitions: readonly EventTypeDefinition[]): this {
    for (const definition of definitions) this.registerOne(definition);
    return this;
  }

  has(type: string): boolean {
    return this.types.has(type);
  }

  registeredTypes(): string[] {
    return [...this.types.keys()].sort();
  }

  /** The personal fields of a type, if it has any (unregistered types have none). */
  personalFieldsOf(type: string): PersonalFields | undefined {
    return this.types.get(type)?.personal;
  }

  /** The types with personal fields, by the payload field naming their subject. */
  typesBySubjectField(): ReadonlyMap<string, readonly string[]> {
    const byField = new Map<string, string[]>();
    for (const [type, { personal }] of this.types) {
      if (personal) byField.set(personal.subject, [...(byField.get(personal.subject) ?? []), type]);
    }
    return byField;
  }

  schemaVersionOf(type: string): number {
    return this.require(type).schemaVersion;
  }

  /** Validates a new event's payload; throws `UnknownEventType` or `InvalidEventPayload`. */
  validate(type: string, data: unknown): void {
    const { payload } = this.require(type);
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new InvalidEventPayload(type, [{ field: '(payload)', constraints: ['payload must be a JSON object'] }]);
    }
    if (this.quickCheckOf(type, payload)(data as Record<string, unknown>)) return;
    const instance = plainToInstance(payload, data as Record<string, unknown>);
    // An event may carry no data (a class with no fields): class-validator calls `{}` against it an
    // unknown value; any field at all still is one, and is refused.
    const forbidUnknownValues = Object.keys(data).length > 0;
    const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues });
    if (errors.length > 0) throw new InvalidEventPayload(type, flattenViolations(errors));
  }

  /** Brings stored data up to the type's current schema version. Unregistered types pass through. */
  upcast(type: string, schemaVersion: number, data: unknown): { schemaVersion: number; data: unknown } {
    const registered = this.types.get(type);
    if (!registered || schemaVersion >= registered.schemaVersion) return { schemaVersion, data };
    let current = data as Record<string, unknown>;
    for (let version = schemaVersion; version < registered.schemaVersion; version++) {
      const upcast = registered.upcasters.get(version);
      if (!upcast) throw new Error(`No upcaster for "${type}" from schema version ${version}`);
      current = upcast(current);
    }
    return { schemaVersion: registered.schemaVersion, data: current };
  }

  private registerOne(definition: EventTypeDefinition): void {
    if (this.types.has(definition.type)) throw new Error(`Event type "${definition.type}" is registered twice`);
    const schemaVersion = definition.schemaVersion ?? 1;
    const upcasters = upcastersOf(definition.type, schemaVersion, definition.upcasters ?? []);
    if (definition.personal) checkPersonalFields(definition.type, definition.personal);
    this.types.set(definition.type, { payload: definition.payload, schemaVersion, upcasters, personal: definition.personal });
  }

  private quickCheckOf(type: string, payload: PayloadClass): QuickCheck {
    let check = this.quickChecks.get(type);
    if (check === undefined) {
      check = compileQuickCheck(payload);
      this.quickChecks.set(type, check);
    }
    return check;
  }

  private require(type: string): RegisteredType {
    const registered = this.types.get(type);
    if (!registered) throw new UnknownEventType(type);
    return registered;
  }
}
