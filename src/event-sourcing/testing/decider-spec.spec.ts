import { stripVTControlCharacters } from 'node:util';
import type { Command, Decider, DomainEvent } from '../domain/decider.js';
import { DomainError } from '../domain/domain-error.js';
import { deciderSpec, outcomeOf } from './decider-spec.js';

// A tiny door: opened and closed, and it cannot be opened twice.
type DoorEvent = DomainEvent<'door.opened', { readonly by: string }> | DomainEvent<'door.closed', Record<string, never>>;
type DoorCommand = Command<'Open', { readonly by: string }> | Command<'Close', Record<string, never>>;
type Door = { readonly open: boolean };

class DoorAlreadyOpen extends DomainError {
  readonly kind = 'conflict';
  readonly code = 'DOOR_ALREADY_OPEN';
  constructor(openedBy: string) {
    super(`The door is already open`, { openedBy });
  }
}

class DoorAlreadyClosed extends DomainError {
  readonly kind = 'conflict';
  readonly code = 'DOOR_ALREADY_CLOSED';
}

const opened = (by = 'ada'): DoorEvent => ({ type: 'door.opened', data: { by } });
const closed = (): DoorEvent => ({ type: 'door.closed', data: {} });
const metadata = { now: '2025-03-01T09:00:00.000Z', tenantId: 't1', actor: { type: 'human' as const, id: 'u1' } };
const open = (by = 'ada'): DoorCommand => ({ type: 'Open', data: { by }, metadata });
const close = (): DoorCommand => ({ type: 'Close', data: {}, metadata });

const doorDecider: Decider<Door, DoorCommand, DoorEvent> = {
  initialState: { open: false },
  evolve: (_state, event) => ({ open: event.type === 'door.opened' }),
  decide: (command, state) => {
    if (command.type === 'Open') {
      if (state.open) throw new DoorAlreadyOpen(command.data.by);
      return [opened(command.data.by)];
    }
    return state.open ? [closed()] : [];
  },
};

const given = deciderSpec(doorDecider).given;

/** The message an assertion failed with, without terminal colours. */
const failureOf = (assertion: () => void): string => {
  try {
    assertion();
  } catch (error) {
    return stripVTControlCharacters((error as Error).message);
  }
  throw new Error('expected the assertion to fail');
};

describe('deciderSpec', () => {
  describe('when the command decides the expected events', () => {
    it('passes', () => given().when(open('ada')).then(opened('ada')));

    it('passes with the history and the expected events given as arrays', () =>
      given([opened(), closed()]).when(open('bo')).then([opened('bo')]));

    it('passes an empty then() for a command that decides nothing', () => given().when(close()).then());

    it('compares type and data only', () =>
      given()
        .when(open('ada'))
        .then({ ...opened('ada'), metadata: { ignored: true } } as unknown as DoorEvent));
  });

  describe('when the command decides other events', () => {
    const message = failureOf(() => given().when(open('ada')).then(opened('bo')));

    it('fails with a diff of expected and received events', () => {
      expect(message).toMatch(/^- Expected/m);
      expect(message).toMatch(/^\+ Received/m);
    });

    it('shows both values in the diff', () => {
      expect(message).toMatch(/^-\s+"by": "bo",?$/m);
      expect(message).toMatch(/^\+\s+"by": "ada",?$/m);
    });

    it('fails when fewer events were expected than decided', () =>
      expect(failureOf(() => given([opened()]).when(close()).then())).toMatch(/\+\s+"type": "door.closed"/));
  });

  describe('when events are expected but the command is refused', () => {
    it('fails naming the error', () =>
      expect(failureOf(() => given([opened()]).when(open()).then(opened()))).toBe(
        'Expected events, but the command was refused: DoorAlreadyOpen: The door is already open',
      ));
  });

  describe('when the command is refused', () => {
    it('passes for the error type', () => given([opened()]).when(open()).thenThrows(DoorAlreadyOpen));

    it('passes for a base class of the error', () => given([opened()]).when(open()).thenThrows(DomainError));

    it('passes for matching properties', () =>
      given([opened('ada')]).when(open('bo')).thenThrows(DoorAlreadyOpen, { code: 'DOOR_ALREADY_OPEN', details: { openedBy: 'bo' } }));

    it('fails for other properties, showing them', () => {
      const message = failureOf(() => given([opened()]).when(open('bo')).thenThrows(DoorAlreadyOpen, { details: { openedBy: 'cy' } }));
      expect(message).toMatch(/-\s+"openedBy": "cy"/);
      expect(message).toMatch(/\+\s+"openedBy": "bo"/);
    });

    it('fails for another error type, naming both', () => {
      const message = failureOf(() => given([opened()]).when(open()).thenThrows(DoorAlreadyClosed));
      expect(message).toContain('Expected constructor: DoorAlreadyClosed');
      expect(message).toContain('Received constructor: DoorAlreadyOpen');
    });
  });

  describe('when an error is expected but the command decides events', () => {
    it('fails naming the error and showing the events', () => {
      const message = failureOf(() => given().when(open('ada')).thenThrows(DoorAlreadyOpen));
      expect(message).toMatch(/^Expected DoorAlreadyOpen, but the command decided \[/);
      expect(JSON.parse(message.slice(message.indexOf('[')))).toEqual([{ type: 'door.opened', data: { by: 'ada' } }]);
    });
  });
});

describe('outcomeOf', () => {
  it('reports the outcome of any decision function', () => outcomeOf(() => [opened('ada')]).then(opened('ada')));

  it('reports a thrown error', () =>
    outcomeOf(() => {
      throw new DoorAlreadyClosed('closed');
    }).thenThrows(DoorAlreadyClosed, { message: 'closed' }));
});
