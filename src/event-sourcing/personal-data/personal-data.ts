import type { Pool } from 'pg';
import type { EventRegistry } from '../store/event-registry.js';
import { InvalidEventPayload } from '../store/event-store.errors.js';
import type { PreparedEvent } from '../store/prepared-event.js';
import { KeyWrapping } from './key-wrapping.js';
import { REDACTED, type PersonalFieldsView } from './personal-fields.js';
import { PostgresSubjectKeys } from './postgres-subject-keys.js';
import { keyIdOfBox, SEALED_FIELDS, sealedBoxOf, type SealedBox } from './sealed-box.js';
import { openValue, sealValue } from './sealed-value.js';
import type { KeptKeyUse, NewSubjectKey, SubjectKey, SubjectKeys } from './subject-keys.js';

/** What a read of stored events hands over to be opened: each row's type and stored data. */
export interface StoredData {
  readonly type: string;
  data: unknown;
}

const redacted = (fields: readonly string[]): Record<string, string> => Object.fromEntries(fields.map((field) => [field, REDACTED]));

/**
 * The row's data with its box replaced by `fields`: whatever fields the box names, not those
 * declared today (an older schema version may have named them differently).
 */
const unbox = (row: StoredData, fields: Record<string, unknown>): void => {
  const data = { ...(row.data as Record<string, unknown>) };
  delete data[SEALED_FIELDS];
  row.data = Object.assign(data, fields);
};

/**
 * Events ready to be stored, the subjects' keys their append must store with them, and the
 * keys stored before that it seals with (it must hold them: see `subjectKeysHeld`).
 */
export interface SealedEvents {
  readonly events: readonly PreparedEvent[];
  readonly newKeys: readonly NewSubjectKey[];
  readonly keptKeys: readonly KeptKeyUse[];
}

/**
 * Seals the personal fields of events on their way into the store and opens them on the
 * way out, for every reader of the log alike (API, projections, rebuilds, the relay, the
 * CLI): a field of a forgotten subject opens as `REDACTED`. Events of types without personal
 * fields pass through untouched and cost one lookup.
 */
export class PersonalData {
  constructor(
    private readonly registry: EventRegistry,
    readonly keys: SubjectKeys,
  ) {}

  /**
   * Keys in PostgreSQL, wrapped by `masterKey`, read each time (no LISTEN, so nothing kept):
   * for tools and tests that assemble the core without the app's module.
   */
  static onPostgres(pool: Pool, registry: EventRegistry, masterKey: Buffer): PersonalData {
    return new PersonalData(registry, new PostgresSubjectKeys(pool, new KeyWrapping(masterKey)));
  }

  /**
   * The events as they are to be stored, personal fields sealed with their subject's key,
   * and the keys made for them (to be stored by the same append: see `subjectKeyWrites`).
   */
  seal(tenantId: string, events: readonly PreparedEvent[]): SealedEvents {
    if (!events.some((event) => this.registry.personalFieldsOf(event.type))) return { events, newKeys: [], keptKeys: [] };
    const made = new Map<string, NewSubjectKey>();
    const kept = new Map<string, KeptKeyUse>();
    const keyOf = (subjectId: string): SubjectKey => {
      const known = made.get(subjectId) ?? this.keys.keptKeyOf(tenantId, subjectId);
      if (known) {
        if (!made.has(subjectId)) kept.set(known.keyId, { keyId: known.keyId, tenantId, subjectId });
        return known;
      }
      const key = this.keys.newKey(tenantId, subjectId);
      made.set(subjectId, key);
      return key;
    };
    const sealed = events.map((event) => this.sealOne(event, keyOf));
    return { events: sealed, newKeys: [...made.values()], keptKeys: [...kept.values()] };
  }

  /** Moves whenever a subject is forgotten: a cache of opened events compares it (see `EventStore.personalDataEpoch`). */
  epoch(): number | null {
    return this.keys.epoch;
  }

  /** Moves whenever this process hears a forgetting, listening or not: what a page opened before it compares. */
  evictionCount(): number {
    return this.keys.evictionCount;
  }

  /** An append found these keys deleted: later appends seal under new ones. */
  lost(keys: readonly KeptKeyUse[]): void {
    if (keys.length > 0) this.keys.lost(keys);
  }

  /** The append storing these keys committed: later appends may seal with them. */
  stored(newKeys: readonly NewSubjectKey[]): void {
    if (newKeys.length > 0) this.keys.stored(newKeys);
  }

  /** Each row's sealed fields as `view` says: opened (see `open`), or redacted (see `redact`). */
  async show(rows: readonly StoredData[], view: PersonalFieldsView): Promise<void> {
    if (view === 'redacted') this.redact(rows);
    else await this.open(rows);
  }

  /** Replaces each row's sealed fields by what they hold, or by `REDACTED` once the key is gone. */
  async open(rows: readonly StoredData[]): Promise<void> {
    const sealed = this.sealedOf(rows);
    if (sealed.length === 0) return;
    const keys = await this.keys.keysByIds([...new Set(sealed.map(({ box }) => keyIdOfBox(box)))]);
    for (const { row, box } of sealed) {
      const key = keys.get(keyIdOfBox(box));
      unbox(row, key ? (openValue(box.sealed, key) as Record<string, unknown>) : redacted(box.fields));
    }
  }

  /** Replaces each row's sealed fields by `REDACTED`, as `open` does for a forgotten subject, reading no key. */
  redact(rows: readonly StoredData[]): void {
    for (const { row, box } of this.sealedOf(rows)) unbox(row, redacted(box.fields));
  }

  private sealedOf(rows: readonly StoredData[]): { row: StoredData; box: SealedBox }[] {
    const sealed: { row: StoredData; box: SealedBox }[] = [];
    for (const row of rows) {
      const box = this.registry.personalFieldsOf(row.type) && sealedBoxOf(row.data);
      if (box) sealed.push({ row, box });
    }
    return sealed;
  }

  private sealOne(event: PreparedEvent, keyOf: (subjectId: string) => SubjectKey): PreparedEvent {
    const personal = this.registry.personalFieldsOf(event.type);
    if (!personal) return event;
    const data = event.data as Record<string, unknown>;
    const present = personal.fields.filter((field) => data[field] !== undefined && data[field] !== null);
    if (present.length === 0) return event;
    const subjectId = data[personal.subject];
    if (typeof subjectId !== 'string' || subjectId.length === 0) {
      throw new InvalidEventPayload(event.type, [
        { field: personal.subject, constraints: [`${personal.subject} must name the subject of ${present.join(', ')}`] },
      ]);
    }
    const { keyId, key } = keyOf(subjectId);
    const stored: Record<string, unknown> = {};
    const values: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(data)) (present.includes(field) ? values : stored)[field] = value;
    const box: SealedBox = { fields: present, sealed: sealValue(keyId, key, values) };
    return { ...event, storedData: { ...stored, [SEALED_FIELDS]: box } };
  }
}
