import type { Subscription } from '../subscriptions/subscription.js';
import { projectionSubscription, type AsyncProjection } from './async-projection.js';
import { withReactors, type Reactor } from './reactor.js';

/** The async projections bounded contexts register at start; workers and the admin API use them. */
export class AsyncProjections {
  private readonly byName = new Map<string, AsyncProjection>();
  private readonly allReactors: Reactor[] = [];
  private readonly others: Subscription[] = [];

  /** Registers a projection, with the reactors that follow it (their jobs commit with its writes). */
  register(projection: AsyncProjection, reactors: readonly Reactor[] = []): void {
    if (this.isTaken(projection.name)) throw new Error(`Projection "${projection.name}" is registered twice`);
    this.byName.set(projection.name, reactors.length > 0 ? withReactors(projection, reactors) : projection);
    this.allReactors.push(...reactors);
  }

  /**
   * A subscription that is no read model (the relay): the workers run it beside the projections.
   * The projection admin routes do not list it; `PROJECTIONS_PAUSED` pauses it by name.
   */
  addSubscription(subscription: Subscription): void {
    if (this.isTaken(subscription.name)) throw new Error(`Subscription "${subscription.name}" is registered twice`);
    this.others.push(subscription);
  }

  private isTaken(name: string): boolean {
    return this.byName.has(name) || this.others.some((s) => s.name === name);
  }

  reactors(): Reactor[] {
    return [...this.allReactors];
  }

  all(): AsyncProjection[] {
    return [...this.byName.values()];
  }

  get(name: string): AsyncProjection | undefined {
    return this.byName.get(name);
  }

  /** What the workers run: one subscription per projection (its reactors' jobs enqueued in it), and the others. */
  subscriptions(): Subscription[] {
    return [...this.all().map(projectionSubscription), ...this.others];
  }
}
