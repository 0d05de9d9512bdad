/** The routes http_create_confirm drives, and the body both POST routes validate. */
export const ROUTES = {
  practices: '/v1/practices',
  create: (practiceId: string): string => `/v1/practices/${practiceId}/reservations`,
  confirm: (practiceId: string, reservationId: string): string =>
    `/v1/practices/${practiceId}/reservations/${reservationId}/confirm`,
  validate: '/v1/reservations/validate',
} as const;

/** A calendar day `days` from today (UTC): a check-in the decider accepts. */
const futureDay = (days: number): string => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** The CreateReservationRequest every create (and every validate) sends; the server picks the id. */
export const reservationBody = (): string =>
  JSON.stringify({ guestId: 'guest-bench', guestName: 'Bench Guest', checkInDate: futureDay(30), nights: 3 });

export const jsonHeaders = (token: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
  'content-type': 'application/json',
});
