import type { Pool } from 'pg';
import { StatementParameters, statementNameOf, type AppendSideWrite, type SharedSideWrite } from './append-side-write.js';
import { sharedAppendStatement, type AppendRow, type SharedAppend } from './append-statement.js';
import { isDatabaseStalled } from './database-unavailable.js';
import { withClient } from './with-client.js';

/** An append with its side writes that may share a statement with others. */
export interface GroupableAppend<T> extends SharedAppend {
  /** The stream's identity: two appends to one stream never share a statement. */
  readonly streamKey: string;
  readonly writes: readonly AppendSideWrite[];
  /** Sends this append by itself, with every refusal, race and retry answered as usual. */
  readonly alone: () => Promise<T>;
}

export interface SharedAppendRow extends AppendRow {
  event_id: string;
}

/**
 * What became of an append: its rows if it went with others; the result of sending it
 * alone if it was alone when its turn came; `again` if its group could not take it (its
 * stream had moved on, or the statement failed and rolled back as a whole), so it must be
 * sent alone to learn its answer.
 */
export type GroupOutcome<T> = { readonly rows: SharedAppendRow[] } | { readonly result: T } | 'again';

export interface AppendGroupOptions {
  /** Statements of grouped appends in flight at once; appends asked for meanwhile wait and go together. */
  readonly inFlight: number;
  /** Most appends in one statement. */
  readonly maxAppends: number;
}

interface Waiting {
  readonly append: GroupableAppend<unknown>;
  /** Resolves the append's `send`; given a promise, with that promise's outcome. */
  readonly settle: (outcome: GroupOutcome<unknown> | Promise<GroupOutcome<unknown>>) => void;
}

/**
 * The group's statement: one INSERT of every append's events, then one part per shape of
 * side write (all rows put, all statuses set…), each row guarded by its own
 * append's first event. The text depends only on the shapes present, so it is named and
 * planned once per connection, however many appends a group holds. Events of a group reach
 * the log in stream order, not the order they were asked for: they were concurrent.
 */
const groupStatement = (taken: readonly GroupableAppend<unknown>[]) => {
  // In stream order, so two processes' groups take their locks in one order and do not deadlock.
  const appends = [...taken].sort((a, b) => (a.streamKey < b.streamKey ? -1 : 1));
  const append = sharedAppendStatement(appends);
  const byShape = new Map<string, { write: SharedSideWrite; rows: { event: string; row: unknown }[] }>();
  for (const entry of appends) {
    for (const { shared: write } of entry.writes) {
      if (!write) throw new Error('An append whose side writes cannot be shared went in a group');
      const shape = byShape.get(write.shape) ?? { write, rows: [] };
      shape.rows.push({ event: entry.events[0].eventId, row: write.row });
      byShape.set(write.shape, shape);
    }
  }
  const shapes = [...byShape.keys()].sort();
  const rows = shapes.map((shape) => JSON.stringify(byShape.get(shape)!.rows));
  const { name, text } = textOfShapes(shapes, append, byShape);
  return { name, text, values: [...append.values, ...rows] };
};

/**
 * The statement's name and text for a set of shapes, built once: a group's text was built,
 * hashed for its name and compared with the prepared one at every send (a few kB each time).
 * Shapes come from the code (tables and columns), so there are few sets of them.
 */
const texts = new Map<string, { readonly name: string; readonly text: string }>();
const textOfShapes = (
  shapes: readonly string[],
  append: { readonly text: string; readonly values: readonly unknown[] },
  byShape: ReadonlyMap<string, { readonly write: SharedSideWrite }>,
): { readonly name: string; readonly text: string } => {
  const key = shapes.join('\u0000');
  let statement = texts.get(key);
  if (statement === undefined) {
    const parameters = new StatementParameters([...append.values]);
    const parts = shapes.map((shape, index) => `shared_write_${index} AS (${byShape.get(shape)!.write.part(parameters.add(null), 'appended')})`);
    const text = [`WITH appended AS (${append.text})`, ...parts].join(',\n') + '\nSELECT * FROM appended';
    statement = { name: statementNameOf(text), text };
    texts.set(key, statement);
  }
  return statement;
};

/**
 * Group commit for appends with side writes. While statements are in flight, appends wait;
 * the next statement takes them together, so under load one round trip, one executor
 * start-up and one WAL flush serve many commands. An append alone when its turn comes is
 * sent exactly as without grouping. In a group, an append whose stream moved on, or whose
 * group failed (a race with another process, a side write's error: the statement rolls back
 * as a whole), is sent again alone, which answers it as it would have been answered alone. A
 * group whose answer never came (the connection lost) fails each of its appends with that
 * error: it may have committed.
 */
export class AppendGroup {
  private readonly waiting: Waiting[] = [];
  private readonly streamsInFlight = new Set<string>();
  private inFlight = 0;

  constructor(
    private readonly pool: Pool,
    private readonly options: AppendGroupOptions,
  ) {}

  /** Whether an append can go with others: events with generated ids, side writes that can be shared. */
  static accepts(writes: readonly AppendSideWrite[], idsSupplied: boolean): boolean {
    return !idsSupplied && writes.every((write) => write.shared !== undefined);
  }

  send<T>(append: GroupableAppend<T>): Promise<GroupOutcome<T>> {
    return new Promise<GroupOutcome<unknown>>((settle) => {
      this.waiting.push({ append, settle });
      this.next();
    }) as Promise<GroupOutcome<T>>;
  }

  private next(): void {
    while (this.inFlight < this.options.inFlight && this.waiting.length > 0) {
      const taken = this.take();
      if (taken.length === 0) return;
      this.inFlight++;
      const keys = taken.map((w) => w.append.streamKey);
      for (const key of keys) this.streamsInFlight.add(key);
      void this.run(taken).finally(() => {
        this.inFlight--;
        for (const key of keys) this.streamsInFlight.delete(key);
        this.next();
      });
    }
  }

  /**
   * The oldest waiting appends, in order, skipping any whose stream is taken or in flight, or
   * whose row another taken append writes: two writes of one row in one statement would
   * leave only one of them.
   */
  private take(): Waiting[] {
    const taken: Waiting[] = [];
    const streams = new Set<string>();
    const targets = new Set<string>();
    for (let index = 0; index < this.waiting.length && taken.length < this.options.maxAppends; ) {
      const { append } = this.waiting[index];
      const writes = append.writes.map((write) => write.shared!.target);
      if (streams.has(append.streamKey) || this.streamsInFlight.has(append.streamKey) || writes.some((t) => targets.has(t))) {
        index++;
        continue;
      }
      streams.add(append.streamKey);
      for (const target of writes) targets.add(target);
      taken.push(...this.waiting.splice(index, 1));
    }
    return taken;
  }

  private async run(taken: readonly Waiting[]): Promise<void> {
    if (taken.length === 1) {
      // Through a promise chain, so even a synchronous throw reaches the caller.
      const alone = Promise.resolve().then(() => taken[0].append.alone()).then((result: unknown) => ({ result }));
      taken[0].settle(alone);
      await alone.catch(() => undefined);
      return;
    }
    let rows: SharedAppendRow[];
    try {
      rows = await this.query(groupStatement(taken.map((w) => w.append)));
    } catch (error) {
      // Without PostgreSQL's answer the statement may have committed: sent again, an append
      // would find its stream moved on by itself, and its command be decided a second time.
      // Cancelled for time, sent again alone it would wait as long once more. Each gets the
      // error, as it would alone.
      if (isDatabaseStalled(error)) {
        for (const waiting of taken) waiting.settle(Promise.reject(error));
        return;
      }
      // PostgreSQL refused it and rolled it back as a whole: each append alone learns its own answer (or error).
      for (const waiting of taken) waiting.settle('again');
      return;
    }
    const byEvent = new Map(rows.map((row) => [row.event_id, row]));
    for (const { append, settle } of taken) {
      const own = append.events.map((event) => byEvent.get(event.eventId)).filter((row) => row !== undefined);
      settle(own.length > 0 ? { rows: own } : 'again');
    }
  }

  private async query(statement: { name: string; text: string; values: unknown[] }): Promise<SharedAppendRow[]> {
    // A checked-out client survives a failed statement; pool.query() would discard it.
    return withClient(this.pool, async (client) => (await client.query<SharedAppendRow>(statement)).rows);
  }
}
