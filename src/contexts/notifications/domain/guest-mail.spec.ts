import { confirmationMail } from './guest-mail.js';

describe('a confirmation mail', () => {
  const notice = { eventId: 'e-1', tenantId: 'p-1', reservationId: 'r-1', confirmedAt: '2027-03-01T09:30:00.000Z' };

  it('answers the confirmation event, for its reservation, naming the day it was confirmed', () => {
    expect(confirmationMail(notice)).toEqual({
      causedBy: 'e-1',
      tenantId: 'p-1',
      reservationId: 'r-1',
      subject: 'Your reservation is confirmed',
      text: 'Your reservation r-1 was confirmed on 2027-03-01.',
    });
  });
});
