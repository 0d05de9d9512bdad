/**
 * Columns of a read model holding personal data, named by the projection that writes them:
 * forgetting a subject sets them to `REDACTED` in the subject's rows, in the transaction that
 * deletes its key (a rebuild then writes the same, from the events opened as redacted).
 */
export interface PersonalColumns<R> {
  /** The column holding the tenant id. */
  readonly tenant: keyof R & string;
  /** The column holding the subject's id. */
  readonly subject: keyof R & string;
  /** The personal columns: text columns, which read `REDACTED` once the subject is forgotten. */
  readonly columns: readonly (keyof R & string)[];
}

/** A read model's table and its personal columns. */
export interface PersonalReadModel {
  readonly table: string;
  readonly personal: PersonalColumns<Record<string, unknown>>;
}
