import type { AnySaga } from './saga.js';

/** The sagas bounded contexts register at start; the workers run them. */
export class Sagas {
  private readonly byName = new Map<string, AnySaga>();

  register(...sagas: readonly AnySaga[]): void {
    for (const saga of sagas) {
      if (this.byName.has(saga.name)) throw new Error(`Saga "${saga.name}" is registered twice`);
      this.byName.set(saga.name, saga);
    }
  }

  all(): AnySaga[] {
    return [...this.byName.values()];
  }
}
