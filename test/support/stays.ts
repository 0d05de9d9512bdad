/** A calendar day `days` from today (UTC), as reservation requests take it. */
export const day = (days: number): string => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** A CreateReservationRequest the decider accepts: a guest checking in ten days from now. */
export const stay = (nights = 2) => ({ guestId: 'g-1', guestName: 'Ada Lovelace', checkInDate: day(10), nights });
