import { IsString, Length } from 'class-validator';
import type { NewEvent } from '../../src/event-sourcing/store/event-envelope.js';

/** A note about a guest with their name, e-mail and phone: personal data, as a booking event carries it. */
export class GuestNoted {
  @IsString() @Length(1, 64) guestId!: string;
  @IsString() @Length(1, 200) guestName!: string;
  @IsString() @Length(1, 320) guestEmail!: string;
  @IsString() @Length(1, 40) guestPhone!: string;
  @IsString() @Length(1, 200) note!: string;
}

/** Registered with its personal fields: stored sealed under each guest's key, opened on every read. */
export const PERSONAL_EVENT_TYPE = 'bench.guest_noted';
/** The same payload registered without them: stored and read as given, the "before encryption" side. */
export const UNSEALED_EVENT_TYPE = 'bench.guest_noted_unsealed';
export const PERSONAL_FIELDS = { subject: 'guestId', fields: ['guestName', 'guestEmail', 'guestPhone'] } as const;
/** Guests a stream's events are about, in turn: a stream reads the keys of this many subjects. */
const GUESTS = 50;

/** Events of `type` about GUESTS guests in turn, the same on every side (no randomness). */
export const guestEventSource =
  (type: string) =>
  (): ((count: number) => NewEvent[]) => {
    let sequence = 0;
    return (count) =>
      Array.from({ length: count }, () => {
        sequence += 1;
        const guest = sequence % GUESTS;
        return {
          type,
          data: {
            guestId: `guest-${guest}`,
            guestName: `Guest Number ${guest}`,
            guestEmail: `guest.${guest}@example.org`,
            guestPhone: `+44 20 7946 ${String(guest).padStart(4, '0')}`,
            note: `visit ${sequence}`,
          },
          metadata: { actor: { type: 'human', id: 'bench-user' } },
        };
      });
  };
