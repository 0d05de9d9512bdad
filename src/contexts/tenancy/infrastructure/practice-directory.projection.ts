import type { PoolClient } from 'pg';
import type { InlineProjection } from '../../../event-sourcing/aggregates/inline-projection.js';
import type { RecordedEvent } from '../../../event-sourcing/store/event-envelope.js';
import type { PracticeEvent } from '../domain/practice.events.js';

/** `practices` and `practice_members`, written in the append's transaction (read-your-writes for access checks). */
export class PracticeDirectoryProjection implements InlineProjection {
  readonly name = 'practice-directory';
  readonly handles = ['practice.created', 'practice.updated', 'membership.created', 'membership.role_changed'];

  async project(client: PoolClient, events: readonly RecordedEvent[]): Promise<void> {
    for (const recorded of events) await this.apply(client, recorded, recorded as unknown as PracticeEvent);
  }

  private async apply(client: PoolClient, recorded: RecordedEvent, event: PracticeEvent): Promise<void> {
    const practiceId = recorded.aggregateId;
    switch (event.type) {
      case 'practice.created':
        await client.query(
          `INSERT INTO practices (practice_id, name, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`,
          [practiceId, event.data.name, recorded.version, recorded.occurredAt],
        );
        return;
      case 'practice.updated':
        await client.query(`UPDATE practices SET name = $2, version = $3, updated_at = $4 WHERE practice_id = $1`, [
          practiceId,
          event.data.name,
          recorded.version,
          recorded.occurredAt,
        ]);
        return;
      case 'membership.created':
        await client.query(
          `INSERT INTO practice_members (practice_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4)`,
          [practiceId, event.data.userId, event.data.role, recorded.occurredAt],
        );
        await this.touch(client, recorded);
        return;
      case 'membership.role_changed':
        await client.query(`UPDATE practice_members SET role = $3 WHERE practice_id = $1 AND user_id = $2`, [
          practiceId,
          event.data.userId,
          event.data.role,
        ]);
        await this.touch(client, recorded);
        return;
    }
  }

  private async touch(client: PoolClient, recorded: RecordedEvent): Promise<void> {
    await client.query(`UPDATE practices SET version = $2, updated_at = $3 WHERE practice_id = $1`, [
      recorded.aggregateId,
      recorded.version,
      recorded.occurredAt,
    ]);
  }
}
