import { randomUUID } from 'node:crypto';
import { KeyWrapping } from './key-wrapping.js';
import type { KeptKeyUse, NewSubjectKey, SubjectKey, SubjectKeys } from './subject-keys.js';

const subjectOf = (tenantId: string, subjectId: string): string => JSON.stringify([tenantId, subjectId]);

/** Subjects' keys in memory, for the in-memory store and tests. */
export class InMemorySubjectKeys implements SubjectKeys {
  private readonly byId = new Map<string, SubjectKey & { readonly subject: string }>();
  epoch = 0;

  get evictionCount(): number {
    return this.epoch;
  }

  keptKeyOf(tenantId: string, subjectId: string): SubjectKey | undefined {
    const subject = subjectOf(tenantId, subjectId);
    return [...this.byId.values()].find((key) => key.subject === subject);
  }

  newKey(tenantId: string, subjectId: string): NewSubjectKey {
    const key = KeyWrapping.newDataKey();
    return { keyId: randomUUID(), key, tenantId, subjectId, wrapped: key };
  }

  stored(keys: readonly NewSubjectKey[]): void {
    for (const { keyId, key, tenantId, subjectId } of keys) this.byId.set(keyId, { keyId, key, subject: subjectOf(tenantId, subjectId) });
  }

  lost(keys: readonly KeptKeyUse[]): void {
    for (const { keyId } of keys) this.byId.delete(keyId);
  }

  async keysByIds(keyIds: readonly string[]): Promise<ReadonlyMap<string, Buffer>> {
    const found = keyIds.map((id) => [id, this.byId.get(id)?.key] as const);
    return new Map(found.filter((entry): entry is readonly [string, Buffer] => entry[1] !== undefined));
  }

  /** Deletes the subject's keys; how many there were. */
  forget(tenantId: string, subjectId: string): number {
    const subject = subjectOf(tenantId, subjectId);
    const keys = [...this.byId.values()].filter((key) => key.subject === subject);
    for (const key of keys) this.byId.delete(key.keyId);
    this.epoch++;
    return keys.length;
  }
}
