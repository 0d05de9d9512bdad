import { IsString } from 'class-validator';
import { InMemorySubjectKeys } from '../personal-data/in-memory-subject-keys.js';
import { PersonalData } from '../personal-data/personal-data.js';
import { REDACTED } from '../personal-data/personal-fields.js';
import { EventRegistry } from './event-registry.js';
import type { PreparedEvent } from './prepared-event.js';
import { eventRowOf, RecordedEventMapper, type EventRowArray } from './recorded-event.mapper.js';

class Guest {
  @IsString() guestId!: string;
  @IsString() fullName!: string;
}

class Note {
  @IsString() text!: string;
}

const registry = new EventRegistry().register(
  { type: 'guest.registered', payload: Guest, personal: { subject: 'guestId', fields: ['fullName'] } },
  { type: 'note.written', payload: Note, schemaVersion: 2, upcasters: [{ from: 1, upcast: ({ body }) => ({ text: body }) }] },
);

const prepared = (type: string, data: Record<string, unknown>): PreparedEvent => ({
  eventId: '00000000-0000-4000-8000-000000000001',
  type,
  schemaVersion: registry.schemaVersionOf(type),
  data,
  storedData: data,
  metadata: { actor: { type: 'human', id: 'user-1' } },
  occurredAt: new Date(0),
});

/** A row as a read returns it, with one more column after the event's (as the subscription log's reads have). */
const row = (n: number, type: string, schemaVersion: number, data: unknown): [...EventRowArray, number] => [
  String(100 + n),
  `00000000-0000-4000-8000-00000000010${n}`,
  n,
  type,
  schemaVersion,
  data,
  { actor: { type: 'human', id: 'user-1' } },
  1_800_000_000_123 + n,
  1_800_000_000_456 + n,
  String(5000 + n),
  'tenant-1',
  'guest',
  `guest-${n}`,
  n % 4,
];

describe('RecordedEventMapper.recordedOfArrays', () => {
  it('gives the events recordedOf gives for the same rows: personal fields opened or redacted, data upcast', async () => {
    const keys = new InMemorySubjectKeys();
    const personalData = new PersonalData(registry, keys);
    const sealedOf = (guestId: string) => {
      const sealed = personalData.seal('tenant-1', [prepared('guest.registered', { guestId, fullName: `Name of ${guestId}` })]);
      personalData.stored(sealed.newKeys);
      return sealed.events[0].storedData;
    };
    const kept = sealedOf('guest-1');
    const forgotten = sealedOf('guest-2');
    keys.forget('tenant-1', 'guest-2');
    const rows = () => [
      row(1, 'guest.registered', 1, structuredClone(kept)),
      row(2, 'guest.registered', 1, structuredClone(forgotten)),
      row(3, 'note.written', 1, { body: 'old shape' }),
      row(4, 'note.written', 2, { text: 'new shape' }),
    ];
    const mapper = new RecordedEventMapper(registry, personalData);

    const events = await mapper.recordedOfArrays(rows());

    expect(events).toEqual(await mapper.recordedOf(rows().map(eventRowOf)));
    expect(events.map((event) => [event.schemaVersion, event.data])).toEqual([
      [1, { guestId: 'guest-1', fullName: 'Name of guest-1' }],
      [1, { guestId: 'guest-2', fullName: REDACTED }],
      [2, { text: 'old shape' }],
      [2, { text: 'new shape' }],
    ]);
    expect(events[0]).toMatchObject({ position: 101, occurredAt: new Date(1_800_000_000_124), recordedAt: new Date(1_800_000_000_457), transactionId: '5001' });
  });
});
