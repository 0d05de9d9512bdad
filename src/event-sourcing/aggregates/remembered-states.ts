/** A state and the stream version it is the fold of. */
interface VersionedState<State> {
  readonly state: State;
  readonly version: number;
}

interface Entry {
  /** The aggregate whose fold made the state: another one never gets it. */
  readonly owner: object;
  readonly loaded: VersionedState<unknown>;
}

/**
 * The states of the aggregates this process wrote last, each as the fold of its stream up to
 * a version, so the next command on them can skip loading the stream. Never trusted alone:
 * a command decided on a remembered state commits only if its append, which expects that
 * version, is accepted — which proves the stream had not moved on (another process, a direct
 * append). Any other outcome is decided again on a freshly loaded state.
 *
 * Bounded: the oldest written is forgotten first.
 */
export class RememberedStates {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity: number) {}

  recall<State>(key: string, owner: object): VersionedState<State> | undefined {
    const entry = this.entries.get(key);
    return entry?.owner === owner ? (entry.loaded as VersionedState<State>) : undefined;
  }

  remember<State>(key: string, owner: object, loaded: VersionedState<State>): void {
    if (this.capacity <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { owner, loaded });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}
