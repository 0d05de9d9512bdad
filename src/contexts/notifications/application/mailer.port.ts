import type { GuestMail } from '../domain/guest-mail.js';

/** Sends mail to guests. At least once: a send whose transaction then fails is sent again. */
export interface Mailer {
  send(mail: GuestMail): Promise<void>;
}

export const MAILER = Symbol('Mailer');
