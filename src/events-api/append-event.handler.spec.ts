import { BadRequestException } from '@nestjs/common';
import { IsString } from 'class-validator';
import { AggregateCatalog, type AggregateRepository, type Command, type Decider, defineAggregate, EventRegistry } from '../event-sourcing/index.js';
import { AppendEvent, AppendEventHandler } from './append-event.handler.js';
import type { AppendEventRequest } from './events-api.requests.js';

class NotePayload {
  @IsString() text!: string;
}

/** An aggregate that registers no direct-append mapping (`commandFor`). */
const noteDecider: Decider<null, Command, { type: 'note.written'; data: NotePayload }> = {
  initialState: null,
  decide: () => [],
  evolve: (state) => state,
};

describe('AppendEventHandler', () => {
  describe('when the aggregate registered no direct-append mapping', () => {
    it('refuses with 400 DIRECT_APPEND_NOT_SUPPORTED before touching the store', async () => {
      const catalog = new AggregateCatalog();
      catalog.register(defineAggregate({ type: 'note', decider: noteDecider, idOf: () => 'n-1', events: { 'note.written': NotePayload } }));
      const registry = new EventRegistry().register({ type: 'note.written', payload: NotePayload });
      const untouchable = new Proxy({} as AggregateRepository, {
        get: () => {
          throw new Error('the repository must not be reached');
        },
      });
      const handler = new AppendEventHandler(untouchable, catalog, registry);
      const request = { practiceId: 'p-1', aggregateType: 'note', aggregateId: 'n-1', eventType: 'note.written', payload: { text: 'hi' } };
      const metadata = { now: new Date().toISOString(), actor: { type: 'human' as const, id: 'alice' }, tenantId: 'p-1' };

      const refusal = await handler.execute(new AppendEvent(request as AppendEventRequest, metadata)).catch((error: unknown) => error);

      expect(refusal).toBeInstanceOf(BadRequestException);
      expect((refusal as BadRequestException).getResponse()).toMatchObject({ code: 'DIRECT_APPEND_NOT_SUPPORTED' });
    });
  });
});
