import { randomUUID } from 'node:crypto';
import type { AppendSideWrite } from '../store/append-side-write.js';
import type { KeptKeyUse, NewSubjectKey } from './subject-keys.js';

const COLUMNS = 'key_id, tenant_id, subject_id, wrapped_key';

/**
 * New subjects' keys as writes of the append that first seals with them: stored in its own
 * statement (alone or in a group commit), so a key exists exactly when its events do.
 */
export const subjectKeyWrites = (keys: readonly NewSubjectKey[]): AppendSideWrite[] =>
  keys.map(({ keyId, tenantId, subjectId, wrapped }) => ({
    sql: (parameters, ifAppended) =>
      `INSERT INTO subject_keys (${COLUMNS})
       SELECT ${parameters.add(keyId)}::uuid, ${parameters.add(tenantId)}::text, ${parameters.add(subjectId)}::text,
         ${parameters.add(wrapped)}::bytea
       WHERE ${ifAppended}`,
    shared: {
      shape: 'insert subject_keys',
      target: `subject_keys/${keyId}`,
      row: { key_id: keyId, tenant_id: tenantId, subject_id: subjectId, wrapped_key: wrapped.toString('base64') },
      part: (rows, appended) =>
        `INSERT INTO subject_keys (${COLUMNS})
         SELECT (k->>'key_id')::uuid, k->>'tenant_id', k->>'subject_id', decode(k->>'wrapped_key', 'base64')
         FROM json_array_elements(${rows}::json) AS shared, json_extract_path(shared, 'row') AS k
         WHERE (shared->>'event')::uuid IN (SELECT event_id FROM ${appended})`,
    },
  }));

/** SQLSTATE of `subject_keys_held` (migration 17) when a key is gone. */
export const SUBJECT_KEY_GONE = 'CK001';

/**
 * Takes its turn with any forgetting of the subjects an append seals for, and fails the append
 * if a key stored before that it seals with is gone (see migration 17). Every subject counts,
 * new keys' too: a forgetting deletes the keys committed when it looks, so an append storing a
 * new key must either commit before that look (the forgetting, waiting for its lock, then
 * deletes the new key as well) or wait until the forgetting committed (its data is then written
 * after the forgetting). A data-modifying part, so PostgreSQL runs it whatever the append does
 * (a SELECT part runs only if read); it inserts nothing. It writes no row, so appends of one
 * subject still share a statement.
 */
export const subjectKeysHeld = (kept: readonly KeptKeyUse[], made: readonly NewSubjectKey[] = []): AppendSideWrite[] => {
  const subjects = [...kept, ...made];
  if (subjects.length === 0) return [];
  const columns = {
    key_ids: kept.map((k) => k.keyId),
    tenant_ids: subjects.map((k) => k.tenantId),
    subject_ids: subjects.map((k) => k.subjectId),
  };
  const holding = (keyIds: string, tenantIds: string, subjectIds: string) =>
    `INSERT INTO subject_keys (${COLUMNS}) SELECT NULL, NULL, NULL, NULL WHERE NOT subject_keys_held(${keyIds}, ${tenantIds}, ${subjectIds})`;
  const ofRows = (rows: string, column: string, type: string) =>
    `ARRAY(SELECT v::${type} FROM json_array_elements(${rows}::json) AS shared, json_array_elements_text(shared->'row'->'${column}') AS v)`;
  return [
    {
      sql: (parameters) =>
        holding(
          `${parameters.add(columns.key_ids)}::uuid[]`,
          `${parameters.add(columns.tenant_ids)}::text[]`,
          `${parameters.add(columns.subject_ids)}::text[]`,
        ),
      shared: {
        shape: 'hold subject_keys',
        // Writes no row: never in the way of another append's part.
        target: `subject keys held by ${randomUUID()}`,
        row: columns,
        part: (rows) => holding(ofRows(rows, 'key_ids', 'uuid'), ofRows(rows, 'tenant_ids', 'text'), ofRows(rows, 'subject_ids', 'text')),
      },
    },
  ];
};
