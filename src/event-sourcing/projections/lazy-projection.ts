import type { DomainEvent } from '../domain/decider.js';
import { streamKey, type EventOf, type StreamId } from '../store/event-envelope.js';
import type { EventStore } from '../store/event-store.js';

export interface StreamAtVersion {
  readonly stream: StreamId;
  readonly version: number;
}

export interface LazyProjectionDefinition<Key, State, E extends DomainEvent = DomainEvent> {
  readonly name: string;
  /** The streams whose events make up the state for `key`, each at its current version. */
  readonly streamsOf: (key: Key) => Promise<readonly StreamAtVersion[]>;
  readonly initialState: State;
  /** Pure; called in global log order across the key's streams. */
  readonly evolve: (state: State, event: EventOf<E>) => State;
}

interface CacheEntry<State> {
  readonly versions: string;
  readonly state: State;
}

const versionsKey = (streams: readonly StreamAtVersion[]): string =>
  streams
    .map((s) => `${streamKey(s.stream)}@${s.version}`)
    .sort()
    .join('|');

/**
 * State folded from events on read, for views nobody needs kept up to date ahead of time.
 * The fold is cached per key and reused while the key's streams stay at the same versions:
 * any new event moves a version, which is the invalidation (as does forgetting any subject).
 */
export class LazyProjection<Key, State, E extends DomainEvent = DomainEvent> {
  private readonly cache = new Map<string, CacheEntry<State>>();

  constructor(
    private readonly definition: LazyProjectionDefinition<Key, State, E>,
    private readonly store: EventStore,
    private readonly maxEntries = 1000,
  ) {}

  /** The state for `key`, or null when it has no streams. */
  async get(key: Key): Promise<State | null> {
    const streams = await this.definition.streamsOf(key);
    if (streams.length === 0) return null;
    const cacheKey = JSON.stringify(key);
    // A forgotten subject's personal data must not live on in a fold of the events made before;
    // while forgettings may go unheard (no epoch), nothing is kept.
    const epoch = this.store.personalDataEpoch();
    const versions = `${epoch}#${versionsKey(streams)}`;
    const cached = epoch === null ? undefined : this.cache.get(cacheKey);
    if (cached && cached.versions === versions) {
      this.cache.delete(cacheKey); // re-insert: the map's order is the LRU order
      this.cache.set(cacheKey, cached);
      return cached.state;
    }
    const events = (await Promise.all(streams.map((s) => this.store.readStream(s.stream, { toVersion: s.version })))).flat();
    events.sort((a, b) => (a.transactionId === b.transactionId ? a.position - b.position : BigInt(a.transactionId) < BigInt(b.transactionId) ? -1 : 1));
    // The streams' events are of the types the definition names: its aggregates' union.
    const state = (events as EventOf<E>[]).reduce(this.definition.evolve, this.definition.initialState);
    this.cache.delete(cacheKey);
    if (epoch === null) return state;
    this.cache.set(cacheKey, { versions, state });
    if (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
    return state;
  }
}
