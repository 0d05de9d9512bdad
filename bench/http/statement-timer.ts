import pg from 'pg';

/** Time spent in one kind of statement (or in waiting for a pooled connection). */
export interface StepTime {
  readonly step: string;
  readonly count: number;
  readonly totalMs: number;
}

type Callback = (this: unknown, ...args: unknown[]) => unknown;
type Method = (this: unknown, ...args: unknown[]) => unknown;

const sqlOf = (config: unknown): string =>
  typeof config === 'string' ? config : String((config as { text?: unknown } | null)?.text ?? '');

/**
 * Times every statement the process sends through `pg` (by patching `Client#query`) and
 * every wait for a pooled connection (`Pool#connect`), grouped by `classify(sql)`: from the
 * call to the answer, so a statement's time is its round trip plus the server's work. For
 * profiling only, never during a measured phase. Covers this thread: the app, not the load
 * generator's thread.
 */
export class StatementTimer {
  private readonly steps = new Map<string, { count: number; totalMs: number }>();
  private restore: (() => void) | undefined;

  constructor(private readonly classify: (sql: string) => string) {}

  start(): void {
    if (this.restore) throw new Error('the statement timer is already on');
    const client = pg.Client.prototype as unknown as Record<'query', Method>;
    const pool = pg.Pool.prototype as unknown as Record<'connect', Method>;
    const query = client.query;
    const connect = pool.connect;
    client.query = this.timed(query, (args) => this.classify(sqlOf(args[0])));
    pool.connect = this.timed(connect, () => 'pool checkout');
    this.restore = () => {
      client.query = query;
      pool.connect = connect;
    };
  }

  /** Stops timing and hands over what was timed since the last `take`. */
  take(): StepTime[] {
    this.restore?.();
    this.restore = undefined;
    const steps = [...this.steps].map(([step, time]) => ({ step, ...time }));
    this.steps.clear();
    return steps;
  }

  private record(step: string, ms: number): void {
    const time = this.steps.get(step) ?? { count: 0, totalMs: 0 };
    time.count += 1;
    time.totalMs += ms;
    this.steps.set(step, time);
  }

  /** `method`, timed whether it answers through a callback (pg-pool's way) or a promise. */
  private timed(method: Method, stepOf: (args: unknown[]) => string): Method {
    const record = (step: string, ms: number) => this.record(step, ms);
    return function (this: unknown, ...args: unknown[]) {
      const step = stepOf(args);
      const began = performance.now();
      const done = () => record(step, performance.now() - began);
      const last = args.length - 1;
      if (last >= 0 && typeof args[last] === 'function') {
        const callback = args[last] as Callback;
        args[last] = function (this: unknown, ...results: unknown[]) {
          done();
          return callback.apply(this, results);
        };
        return method.apply(this, args);
      }
      const result = method.apply(this, args);
      if (result instanceof Promise) result.then(done, done);
      return result;
    };
  }
}
