import type { NewEvent, StreamId } from '../../src/event-sourcing/store/event-envelope.js';
import { ConcurrencyError } from '../../src/event-sourcing/store/event-store.errors.js';
import type { EventStore } from '../../src/event-sourcing/store/event-store.js';
import { LOG_START, type LogCursor } from '../../src/event-sourcing/store/log-cursor.js';
import type { BenchTarget, LogReader } from './target.js';

/** The system under test: the public EventStore API, nothing underneath it. */
export class StoreTarget implements BenchTarget {
  readonly name = 'store';
  readonly table = 'events';

  constructor(
    private readonly store: EventStore,
    readonly close?: () => Promise<void>,
    /** Another build's store throws its own build's `ConcurrencyError` (`BENCH_STORE_DIST`). */
    private readonly isConflict: (error: unknown) => boolean = (error) => error instanceof ConcurrencyError,
  ) {}

  async appendExact(stream: StreamId, events: readonly NewEvent[], expectedVersion: number): Promise<boolean> {
    try {
      await this.store.append(stream, events, { expectedVersion });
      return true;
    } catch (error) {
      if (this.isConflict(error)) return false;
      throw error;
    }
  }

  streamVersion(stream: StreamId): Promise<number> {
    return this.store.streamVersion(stream);
  }

  async loadStream(stream: StreamId): Promise<number> {
    return (await this.store.readStream(stream)).length;
  }

  logReader(pageSize: number): LogReader {
    let cursor: LogCursor = LOG_START;
    return {
      nextPage: async () => {
        const page = await this.store.readAll({ after: cursor, limit: pageSize });
        cursor = page.cursor;
        return page.events.length;
      },
    };
  }
}
