import { streamKey, type RecordedEvent, type StreamId } from '../store/event-envelope.js';
import type { AggregateStorage } from './aggregate-storage.js';
import { deterministicEventId } from './deterministic-event-id.js';

/**
 * The events a command with this id stored in `stream`, in order; none if it stored nothing
 * there. Their ids derive from the command's id and their index, so they are found one by one:
 * a command decides a few events, and this is asked only of a retry that is refused, conflicts or decides nothing.
 */
export const eventsOfCommand = async (
  storage: Pick<AggregateStorage, 'findEvent'>,
  commandId: string,
  stream: StreamId,
): Promise<RecordedEvent[]> => {
  const key = streamKey(stream);
  const found: RecordedEvent[] = [];
  for (;;) {
    const event = await storage.findEvent(deterministicEventId(commandId, found.length));
    if (event === null || streamKey(event) !== key) return found;
    found.push(event);
  }
};
