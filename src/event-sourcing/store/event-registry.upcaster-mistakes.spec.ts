import 'reflect-metadata';
import { IsString } from 'class-validator';
import { defineAggregate } from '../aggregates/aggregate.js';
import type { Command, Decider, DomainEvent } from '../domain/decider.js';
import { EventRegistry, type EventTypeDefinition } from './event-registry.js';

/**
 * adding-an-aggregate.md §5: "A breaking change to a payload bumps its schema version and
 * registers an upcaster". An upcaster registered without the bump never runs: old events are
 * read in their old shape, new ones are stored under the old version, and once the version is
 * bumped the upcaster rewrites them too. So the registry refuses an upcaster it would never run,
 * and two for one version (where the last one silently won).
 */
class JoinedV2 {
  @IsString() fullName!: string;
}
const v1ToV2 = ({ name, ...rest }: Record<string, unknown>) => ({ ...rest, fullName: name });
const joinedV2 = (overrides: Partial<EventTypeDefinition>): EventTypeDefinition => ({
  type: 'guest.joined',
  payload: JoinedV2,
  schemaVersion: 2,
  upcasters: [{ from: 1, upcast: v1ToV2 }],
  ...overrides,
});

type Joined = DomainEvent<'guest.joined', { fullName: string }>;
const decider: Decider<null, Command<'Join', { id: string; fullName: string }>, Joined> = {
  initialState: null,
  decide: ({ data }) => [{ type: 'guest.joined', data: { fullName: data.fullName } }],
  evolve: () => null,
};

describe('an event type registered with upcasters', () => {
  it('is refused when its schema version was not bumped: the upcaster would never run', () => {
    const guests = defineAggregate({
      type: 'guest',
      decider,
      idOf: (command) => command.data.id,
      // The author forgot `schemaVersion: 2`.
      events: { 'guest.joined': { payload: JoinedV2, upcasters: [{ from: 1, upcast: v1ToV2 }] } },
    });
    expect(() => new EventRegistry().register(...guests.eventDefinitions)).toThrow(
      'Event type "guest.joined" v1 has an upcaster from v1, which would never run',
    );
  });

  it('is refused when an upcaster starts at or after the current version, or before version 1', () => {
    for (const from of [2, 3, 0, 1.5]) {
      const upcasters = [{ from: 1, upcast: v1ToV2 }, { from, upcast: v1ToV2 }];
      expect(() => new EventRegistry().register(joinedV2({ upcasters }))).toThrow(`has an upcaster from v${from}, which would never run`);
    }
  });

  it('is refused when two upcasters claim the same version: one would silently win', () => {
    const upcasters = [
      { from: 1, upcast: v1ToV2 },
      { from: 1, upcast: (data: Record<string, unknown>) => ({ ...data, fullName: 'unknown' }) },
    ];
    expect(() => new EventRegistry().register(joinedV2({ upcasters }))).toThrow('Event type "guest.joined" has two upcasters from v1');
  });

  it('is refused with a schema version that is not a whole number from 1', () => {
    expect(() => new EventRegistry().register(joinedV2({ schemaVersion: 0, upcasters: [] }))).toThrow('has schema version 0');
  });

  it('is registered with one upcaster from each older version, and upcasts', () => {
    const registry = new EventRegistry().register(joinedV2({}));
    expect(registry.upcast('guest.joined', 1, { name: 'Ada' })).toEqual({ schemaVersion: 2, data: { fullName: 'Ada' } });
  });
});
