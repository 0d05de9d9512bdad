import type { AsyncProjection } from './async-projection.js';

/** The async projections bounded contexts register at start; workers and the admin API use them. */
export class AsyncProjections {
  private readonly byName = new Map<string, AsyncProjection>();

  register(...projections: readonly AsyncProjection[]): void {
    for (const projection of projections) {
      if (this.byName.has(projection.name)) throw new Error(`Projection "${projection.name}" is registered twice`);
      this.byName.set(projection.name, projection);
    }
  }

  all(): AsyncProjection[] {
    return [...this.byName.values()];
  }

  get(name: string): AsyncProjection | undefined {
    return this.byName.get(name);
  }
}
