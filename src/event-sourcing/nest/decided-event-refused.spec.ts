import 'reflect-metadata';
import { IsString, Length } from 'class-validator';
import { defineAggregate } from '../aggregates/aggregate.js';
import type { Command, Decider, DomainEvent } from '../domain/decider.js';
import { InvalidEventPayload } from '../store/event-store.errors.js';
import { inMemoryAggregates } from '../testing/in-memory-aggregates.js';
import { toErrorResponse } from './error-response.js';

/**
 * An event the aggregate's own decider made, refused by the aggregate's own payload schema, is
 * the author's bug, not the caller's: conventions.md "a 500 is always a bug", and only 5xx are
 * logged by the error filter. The caller sent a valid command.
 */
type Noted = DomainEvent<'note.added', { text: string }>;
const decider: Decider<null, Command<'AddNote', { id: string; text: string }>, Noted> = {
  initialState: null,
  // The slip: the request DTO allows 500 characters, the payload 200, and decide copies the text.
  decide: ({ data }) => [{ type: 'note.added', data: { text: data.text } }],
  evolve: () => null,
};
class NoteAdded {
  @IsString() @Length(1, 200) text!: string;
}
const notes = defineAggregate({ type: 'note', decider, idOf: (c) => c.data.id, events: { 'note.added': NoteAdded } });

describe('a command whose decided event fails the aggregate’s own payload schema', () => {
  const addNote = (text: string) => ({
    type: 'AddNote' as const,
    data: { id: 'n-1', text },
    metadata: { now: '2027-01-01T00:00:00.000Z', actor: { type: 'human' as const, id: 'u' }, tenantId: 't' },
  });

  it('answers 500 (logged), not a 400 that tells the caller its request was bad', async () => {
    const { repository } = inMemoryAggregates(notes);
    const error = await repository.execute(notes, addNote('x'.repeat(300))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(toErrorResponse(error).status).toBe(500);
    // What the log shows: the aggregate, the event and the field.
    expect(String(error)).toMatch(/The note aggregate decided an event its own payload schema refuses\. Invalid payload for "note\.added": text/);
  });

  it('stores nothing', async () => {
    const { repository } = inMemoryAggregates(notes);
    await expect(repository.execute(notes, addNote('x'.repeat(300)))).rejects.toThrow();
    expect((await repository.load(notes, notes.streamOf('t', 'n-1'))).version).toBe(0);
  });

  it('leaves a payload the caller sent (the events API checks it before deciding) a 400', () => {
    const invalid = new InvalidEventPayload('note.added', [{ field: 'text', constraints: ['text must be shorter than or equal to 200 characters'] }]);
    expect(toErrorResponse(invalid)).toMatchObject({ status: 400, body: { error: { code: 'INVALID_EVENT_PAYLOAD' } } });
  });
});
