import type { AppendSideWrite } from '../store/append-side-write.js';
import type { NewSubjectKey } from './subject-keys.js';

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
