import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { Pool } from 'pg';
import { uuidOf } from './deterministic-event-id.js';

/**
 * The ids of keyed commands, which their events' ids derive from: an HMAC of the key's scope
 * (tenant, user, Idempotency-Key) under the database's own secret (table server_secrets). A
 * public hash let anyone compute a victim's event ids and append them first, so the victim's
 * command failed with EVENT_ID_REUSED; every process on the database derives the same ids.
 * Saga commands' ids (from the saga, the instance and the message) are keyed the same way.
 */
export class CommandIds {
  private constructor(private readonly key: KeyObject) {}

  static async load(pool: Pool): Promise<CommandIds> {
    const { rows } = await pool.query<{ secret: string }>(
      `SELECT secret FROM server_secrets WHERE name = 'command-ids'`,
    );
    if (!rows[0]) throw new Error('server_secrets has no command-ids secret: run the migrations');
    return new CommandIds(createSecretKey(Buffer.from(rows[0].secret, 'hex')));
  }

  of(scope: readonly string[]): string {
    return createHmac('sha256', this.key).update(scope.join('\u0000')).digest('hex').slice(0, 32);
  }

  /** The same for a name, as a UUID (a saga command's id is one): the same name, the same id. */
  uuidOf(name: string): string {
    return uuidOf(createHmac('sha256', this.key).update(name).digest(), 8);
  }
}
