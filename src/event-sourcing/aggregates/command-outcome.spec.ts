import { domainError } from '../domain/domain-error.js';
import { ConcurrencyError, InvalidEventPayload } from '../store/event-store.errors.js';
import { outcomeOfError, outcomeOfResult } from './command-outcome.js';

class RoomRetired extends domainError('conflict', 'ROOM_RETIRED') {}
const stream = { tenantId: 't', aggregateType: 'room', aggregateId: 'r-1' };

describe('a command that returned', () => {
  it('is applied when it appended events', () => {
    expect(outcomeOfResult([{}])).toEqual({ result: 'applied', code: '' });
  });

  it('is a no-op when it decided nothing', () => {
    expect(outcomeOfResult([])).toEqual({ result: 'no-op', code: '' });
  });
});

describe('a command that threw', () => {
  it('is refused with the code of a domain error, whatever its kind', () => {
    expect(outcomeOfError(new RoomRetired('Room 7 is retired'))).toEqual({ result: 'refused', code: 'ROOM_RETIRED' });
  });

  it('is a conflict when the stream moved on', () => {
    const conflict = new ConcurrencyError(stream, 3, 4);
    expect(outcomeOfError(conflict)).toEqual({ result: 'conflict', code: 'CONCURRENCY_CONFLICT' });
  });

  it('is an error with the store\'s code when the store refused the append', () => {
    const invalid = new InvalidEventPayload('room.retired', []);
    expect(outcomeOfError(invalid)).toEqual({ result: 'error', code: 'INVALID_EVENT_PAYLOAD' });
  });

  it('is an error without a code for anything else, never the message', () => {
    expect(outcomeOfError(new Error('connection terminated: 10.0.0.7'))).toEqual({ result: 'error', code: '' });
    expect(outcomeOfError('thrown string')).toEqual({ result: 'error', code: '' });
  });
});
