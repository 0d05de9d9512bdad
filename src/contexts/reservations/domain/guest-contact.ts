/**
 * The shape of a guest's contact details, written once: the create route's request and the
 * `reservation.created` payload check the same, so a direct append stores no contact the route
 * would refuse (notifications use the e-mail address as given).
 */
export const GUEST_PHONE_FORMAT = /^\+?[0-9 ()-]{4,40}$/;
export const GUEST_PHONE_MESSAGE = 'guestPhone must be a phone number: digits, spaces, ( ) - and a leading +';

/** Bounds of an e-mail address, besides being one (class-validator's IsEmail on both sides). */
export const GUEST_EMAIL_LENGTH = { min: 3, max: 320 } as const;
