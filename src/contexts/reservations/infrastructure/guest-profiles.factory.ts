import type { Pool } from 'pg';
import { type EventStore, LazyProjection } from '../../../event-sourcing/index.js';
import type { GuestProfiles } from '../application/queries/get-guest-profile.query.js';
import { reservations } from '../reservation.aggregate.js';
import { emptyGuestTracking, evolveGuestTracking } from './guest-profile.js';

/** Guest profiles folded on read; the reservation list (inline, always current) says which streams and versions. */
export const guestProfiles = (pool: Pool, store: EventStore): GuestProfiles =>
  new LazyProjection(
    {
      name: 'guest-profile',
      streamsOf: async ({ practiceId, guestId }) => {
        const { rows } = await pool.query<{ reservation_id: string; version: number }>(
          `SELECT reservation_id, version FROM reservations WHERE practice_id = $1 AND guest_id = $2`,
          [practiceId, guestId],
        );
        return rows.map((row) => ({ stream: reservations.streamOf(practiceId, row.reservation_id), version: row.version }));
      },
      initialState: emptyGuestTracking,
      evolve: evolveGuestTracking,
    },
    store,
  );
