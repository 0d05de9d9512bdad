import { Counter, type Registry } from 'prom-client';
import type { CommandOutcome } from '../aggregates/command-outcome.js';
import type { RecordedEvent } from '../store/event-envelope.js';

/**
 * Counters of the write path, fed by the repository's hooks: an increment in memory per event
 * and per command, no I/O. Label values are types and codes, a fixed set: never ids or messages.
 */
export class WriteMetrics {
  private readonly appended: Counter<'type'>;
  private readonly commands: Counter<'aggregate' | 'command' | 'result' | 'code'>;

  constructor(registry: Registry) {
    this.appended = new Counter({
      name: 'chronicle_events_appended_total',
      help: 'Events committed through the command path, by event type',
      labelNames: ['type'],
      registers: [registry],
    });
    this.commands = new Counter({
      name: 'chronicle_commands_total',
      help: 'Commands run, by aggregate, command, result (applied, no-op, refused, conflict, error) and code',
      labelNames: ['aggregate', 'command', 'result', 'code'],
      registers: [registry],
    });
  }

  committed(events: readonly RecordedEvent[]): void {
    for (const event of events) this.appended.inc({ type: event.type });
  }

  commandEnded({ aggregate, command, result, code }: CommandOutcome): void {
    this.commands.inc({ aggregate, command, result, code });
  }
}
