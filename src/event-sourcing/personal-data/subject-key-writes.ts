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
 * Holds the keys stored before that an append seals with, until it commits, and fails it if
 * one is gone (its subject forgotten meanwhile: see migration 17). A data-modifying part, so
 * PostgreSQL runs it whatever the append does (a SELECT part runs only if read); it inserts
 * nothing.
 */
export const subjectKeysHeld = (keys: readonly KeptKeyUse[]): AppendSideWrite[] => {
  if (keys.length === 0) return [];
  const keyIds = keys.map((key) => key.keyId);
  const holding = (ids: string) =>
    `INSERT INTO subject_keys (${COLUMNS}) SELECT NULL, NULL, NULL, NULL WHERE NOT subject_keys_held(${ids})`;
  return [
    {
      sql: (parameters) => holding(`${parameters.add(keyIds)}::uuid[]`),
      shared: {
        shape: 'hold subject_keys',
        target: `subject_keys held/${keyIds.join(',')}`,
        row: { key_ids: keyIds },
        part: (rows) =>
          holding(`ARRAY(SELECT k::uuid FROM json_array_elements(${rows}::json) AS shared, json_array_elements_text(shared->'row'->'key_ids') AS k)`),
      },
    },
  ];
};
