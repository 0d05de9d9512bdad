import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { type Actor, EVENT_STORE, type EventStore } from '../../../../event-sourcing/index.js';
import { reservations } from '../../reservation.aggregate.js';

export interface HistoryEntry {
  readonly version: number;
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  readonly actor: Actor;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly correlationId: string | null;
}

export class GetReservationHistory {
  constructor(
    readonly practiceId: string,
    readonly reservationId: string,
  ) {}
}

@QueryHandler(GetReservationHistory)
export class GetReservationHistoryHandler implements IQueryHandler<GetReservationHistory, HistoryEntry[]> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ practiceId, reservationId }: GetReservationHistory): Promise<HistoryEntry[]> {
    const events = await this.store.readStream(reservations.streamOf(practiceId, reservationId));
    return events.map((e) => ({
      version: e.version,
      eventId: e.eventId,
      type: e.type,
      data: e.data,
      actor: e.metadata.actor,
      occurredAt: e.occurredAt.toISOString(),
      recordedAt: e.recordedAt.toISOString(),
      correlationId: e.metadata.correlationId ?? null,
    }));
  }
}
