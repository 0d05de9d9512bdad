/** A mail to a reservation's guest. Reservations hold no guest address yet: the mailer resolves the recipient. */
export interface GuestMail {
  /** The event it answers: one mail per event, whatever the redeliveries. */
  readonly causedBy: string;
  readonly tenantId: string;
  readonly reservationId: string;
  readonly subject: string;
  readonly text: string;
}

/** What `reservation.confirmed` tells the guest. */
export interface ReservationConfirmedNotice {
  readonly eventId: string;
  readonly tenantId: string;
  readonly reservationId: string;
  readonly confirmedAt: string;
}

export const confirmationMail = (notice: ReservationConfirmedNotice): GuestMail => ({
  causedBy: notice.eventId,
  tenantId: notice.tenantId,
  reservationId: notice.reservationId,
  subject: 'Your reservation is confirmed',
  text: `Your reservation ${notice.reservationId} was confirmed on ${notice.confirmedAt.slice(0, 10)}.`,
});
