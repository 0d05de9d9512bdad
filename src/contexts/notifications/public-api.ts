/** What other contexts and the app may use of notifications. */
export { NotificationsModule } from './notifications.module.js';
export { MAILER, type Mailer } from './application/mailer.port.js';
export type { GuestMail } from './domain/guest-mail.js';
