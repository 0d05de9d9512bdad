/** A subject's data key and its id (which sealed values carry). */
export interface SubjectKey {
  readonly keyId: string;
  readonly key: Buffer;
}

/**
 * A key made for an append: stored by the append's own statement, so it exists exactly when
 * the events sealed with it do (a refused append leaves no key behind, and costs no round trip).
 */
export interface NewSubjectKey extends SubjectKey {
  readonly tenantId: string;
  readonly subjectId: string;
  /** The key wrapped by the master key, as stored. */
  readonly wrapped: Buffer;
}

/** A key this process stored before and sealed with again: its subject may have been forgotten since. */
export interface KeptKeyUse {
  readonly keyId: string;
  readonly tenantId: string;
  readonly subjectId: string;
}

/**
 * Where subjects' data keys are kept. A subject may have several keys (one per process that
 * first sealed something of theirs, say): forgetting deletes them all.
 */
export interface SubjectKeys {
  /** A key of the subject this process holds and may seal with, if any. */
  keptKeyOf(tenantId: string, subjectId: string): SubjectKey | undefined;
  /** A new key for the subject, to be stored with the append that first seals with it. */
  newKey(tenantId: string, subjectId: string): NewSubjectKey;
  /** The appends storing these keys committed: later appends may seal with them. */
  stored(keys: readonly NewSubjectKey[]): void;
  /** The store found these keys deleted (their subjects were forgotten): seal with them no more. */
  lost(keys: readonly KeptKeyUse[]): void;
  /** The keys among `keyIds` that still exist: a missing one belonged to a forgotten subject. */
  keysByIds(keyIds: readonly string[]): Promise<ReadonlyMap<string, Buffer>>;
  /**
   * Moves whenever a forgetting is heard: what was opened before may read differently now.
   * Null while forgettings may go unheard (not listening): then nothing opened may be kept.
   */
  readonly epoch: number | null;
  /** How many forgettings (or losses of the LISTEN) this process has heard: moves as `epoch` does, and is never null. */
  readonly evictionCount: number;
}
