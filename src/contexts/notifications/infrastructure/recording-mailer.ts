import type { Mailer } from '../application/mailer.port.js';
import type { GuestMail } from '../domain/guest-mail.js';

/** The mailer until a real one is chosen: it sends nothing and remembers every mail, in order, for tests and demos. */
export class RecordingMailer implements Mailer {
  private readonly mails: GuestMail[] = [];

  send(mail: GuestMail): Promise<void> {
    this.mails.push(mail);
    return Promise.resolve();
  }

  get sent(): readonly GuestMail[] {
    return [...this.mails];
  }
}
