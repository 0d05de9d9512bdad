import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsString, Min, ValidateNested } from 'class-validator';
import { EventRegistry, type EventTypeDefinition } from './event-registry.js';
import { InvalidEventPayload, UnknownEventType } from './event-store.errors.js';

class Guest {
  @IsString() name!: string;
}

class RoomBooked {
  @IsString() roomId!: string;
  @IsInt() @Min(1) nights!: number;
  @ValidateNested() @Type(() => Guest) guest!: Guest;
}

class GuestRegisteredV3 {
  @IsString() fullName!: string;
  @IsBoolean() vip!: boolean;
}

const roomBooked: EventTypeDefinition = { type: 'room.booked', payload: RoomBooked };

/** v1 `{ name }` → v2 `{ fullName }` → v3 `{ fullName, vip }`. */
const guestRegistered: EventTypeDefinition = {
  type: 'guest.registered',
  payload: GuestRegisteredV3,
  schemaVersion: 3,
  upcasters: [
    { from: 2, upcast: (data) => ({ ...data, vip: false }) },
    { from: 1, upcast: ({ name, ...rest }) => ({ ...rest, fullName: name }) },
  ],
};

const violationsOf = (registry: EventRegistry, type: string, data: unknown): InvalidEventPayload => {
  try {
    registry.validate(type, data);
  } catch (error) {
    if (error instanceof InvalidEventPayload) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(data)} to be refused`);
};

const fieldsOf = (error: InvalidEventPayload): string[] => error.violations.map((v) => v.field).sort();

describe('EventRegistry', () => {
  describe('when a type is registered twice', () => {
    it('refuses the second registration, naming the type', () => {
      const registry = new EventRegistry().register(roomBooked);
      expect(() => registry.register(roomBooked)).toThrow('Event type "room.booked" is registered twice');
    });

    it('refuses a duplicate within one call', () => {
      expect(() => new EventRegistry().register(roomBooked, { ...roomBooked })).toThrow(/"room.booked" is registered twice/);
    });
  });

  describe('when a type at schema version 3 lacks an upcaster', () => {
    it('refuses it at registration, naming the missing version', () => {
      const withoutV2 = { ...guestRegistered, upcasters: guestRegistered.upcasters!.filter((u) => u.from !== 2) };
      expect(() => new EventRegistry().register(withoutV2)).toThrow(
        'Event type "guest.registered" v3 lacks an upcaster from v2',
      );
    });

    it('refuses one with no upcasters at all', () => {
      const withNone = { ...guestRegistered, upcasters: [] };
      expect(() => new EventRegistry().register(withNone)).toThrow(/lacks an upcaster from v1/);
      expect(new EventRegistry().has('guest.registered')).toBe(false);
    });
  });

  describe('when types are registered', () => {
    const registry = new EventRegistry().register(roomBooked, guestRegistered);

    it('lists them in order and knows their schema versions (1 by default)', () => {
      expect(registry.registeredTypes()).toEqual(['guest.registered', 'room.booked']);
      expect(registry.has('room.booked')).toBe(true);
      expect(registry.has('room.cleaned')).toBe(false);
      expect(registry.schemaVersionOf('room.booked')).toBe(1);
      expect(registry.schemaVersionOf('guest.registered')).toBe(3);
    });

    it('refuses the schema version of an unknown type', () => {
      expect(() => registry.schemaVersionOf('room.cleaned')).toThrow(UnknownEventType);
    });
  });

  describe('when validating a payload', () => {
    const registry = new EventRegistry().register(roomBooked);

    it('accepts a valid one', () => {
      expect(() => registry.validate('room.booked', { roomId: '101', nights: 2, guest: { name: 'Ada' } })).not.toThrow();
    });

    it('refuses an unregistered type, naming it', () => {
      expect(() => registry.validate('room.painted', {})).toThrow(new UnknownEventType('room.painted'));
      expect(() => registry.validate('room.painted', {})).toThrow('Event type "room.painted" is not registered');
    });

    it('names a field of the wrong type', () => {
      const error = violationsOf(registry, 'room.booked', { roomId: 101, nights: 2, guest: { name: 'Ada' } });
      expect(error.eventType).toBe('room.booked');
      expect(error.violations).toEqual([{ field: 'roomId', constraints: ['roomId must be a string'] }]);
    });

    it('names a missing field', () => {
      const error = violationsOf(registry, 'room.booked', { roomId: '101', guest: { name: 'Ada' } });
      expect(fieldsOf(error)).toEqual(['nights']);
    });

    it('names an unknown extra field', () => {
      const error = violationsOf(registry, 'room.booked', { roomId: '101', nights: 2, guest: { name: 'Ada' }, price: 90 });
      expect(error.violations).toEqual([{ field: 'price', constraints: ['property price should not exist'] }]);
    });

    it('names nested fields by their path', () => {
      const error = violationsOf(registry, 'room.booked', { roomId: '101', nights: 2, guest: { name: 7, vip: true } });
      expect(fieldsOf(error)).toEqual(['guest.name', 'guest.vip']);
    });

    it('names every bad field at once, in the message too', () => {
      const error = violationsOf(registry, 'room.booked', { nights: 0, guest: {}, price: 90 });
      expect(fieldsOf(error)).toEqual(['guest.name', 'nights', 'price', 'roomId']);
      expect(error.message).toMatch(/^Invalid payload for "room.booked": /);
      for (const field of ['roomId', 'nights', 'guest.name', 'price']) expect(error.message).toContain(`${field} (`);
      expect(error.message).toContain('nights must not be less than 1');
    });

    it.each([null, 'text', 42, [{ roomId: '101' }]])('refuses %j as a payload', (data) => {
      expect(violationsOf(registry, 'room.booked', data).violations).toEqual([
        { field: '(payload)', constraints: ['payload must be a JSON object'] },
      ]);
    });
  });

  describe('when reading an event stored at an older schema version', () => {
    const registry = new EventRegistry().register(guestRegistered);

    it('upcasts v1 through v2 to v3', () => {
      expect(registry.upcast('guest.registered', 1, { name: 'Ada Lovelace' })).toEqual({
        schemaVersion: 3,
        data: { fullName: 'Ada Lovelace', vip: false },
      });
    });

    it('upcasts v2 with the last upcaster only', () => {
      expect(registry.upcast('guest.registered', 2, { fullName: 'Ada Lovelace' })).toEqual({
        schemaVersion: 3,
        data: { fullName: 'Ada Lovelace', vip: false },
      });
    });
  });

  describe('when reading an event at the current schema version', () => {
    it('returns it as stored', () => {
      const data = { fullName: 'Ada Lovelace', vip: true };
      const registry = new EventRegistry().register(guestRegistered);
      expect(registry.upcast('guest.registered', 3, data)).toEqual({ schemaVersion: 3, data });
    });
  });

  describe('when reading an event of an unregistered type', () => {
    it('passes it through unchanged', () => {
      const data = { anything: [1, 2] };
      expect(new EventRegistry().register(roomBooked).upcast('room.painted', 4, data)).toEqual({ schemaVersion: 4, data });
    });
  });

  describe('an event type that carries no data', () => {
    class Nothing {}
    const registry = new EventRegistry().register({ type: 'room.cleaned', payload: Nothing });

    it('accepts an empty payload', () => expect(() => registry.validate('room.cleaned', {})).not.toThrow());
    it('refuses any field', () => expect(() => registry.validate('room.cleaned', { by: 'Ada' })).toThrow(InvalidEventPayload));
  });

  it('still refuses an empty payload to a type with required fields', () =>
    expect(() => new EventRegistry().register(roomBooked).validate('room.booked', {})).toThrow(InvalidEventPayload));
});
