import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '../../../../event-sourcing/index.js';
import { evolveReservationRow, type ReservationRow } from '../../infrastructure/reservation-list.projection.js';
import { reservations } from '../../reservation.aggregate.js';
import { toReservationView, type ReservationView } from '../reservation.view.js';

/** The reservation as it was at a time or version: folded from its events, not read from the read model. */
export class GetReservationAt {
  constructor(
    readonly practiceId: string,
    readonly reservationId: string,
    readonly at: { readonly asOf?: Date; readonly version?: number },
  ) {}
}

@QueryHandler(GetReservationAt)
export class GetReservationAtHandler implements IQueryHandler<GetReservationAt, ReservationView | null> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ practiceId, reservationId, at }: GetReservationAt): Promise<ReservationView | null> {
    const events = await this.store.readStream(reservations.streamOf(practiceId, reservationId), {
      toVersion: at.version,
      until: at.asOf,
    });
    // The same fold as the read model, so a past view has exactly the current view's shape.
    const row = reservations.eventsOf(events).reduce<ReservationRow | null>(evolveReservationRow, null);
    return row ? toReservationView(row) : null;
  }
}
