import { toErrorResponse } from './error-response.js';

const withCode = (code: string, message = 'failed'): Error => Object.assign(new Error(message), { code });

describe('an error of the database connection', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED')],
    ['a reset socket', withCode('ECONNRESET')],
    ['a terminated backend (57P01)', withCode('57P01', 'terminating connection due to administrator command')],
    ['a crashed server (57P02)', withCode('57P02')],
    ['a server starting or stopping (57P03)', withCode('57P03')],
    ['a connection exception (class 08)', withCode('08006')],
    ['a connection that ended under pg', new Error('Connection terminated unexpectedly')],
    ['a client pg gave up on', new Error('Client has encountered a connection error and is not queryable')],
    ['a server silent past the query timeout', new Error('Query read timeout')],
    ['a server out of connection slots (53300)', withCode('53300', 'sorry, too many clients already')],
    ['a full disk (53100)', withCode('53100', 'could not extend file "base/16384/16385": No space left on device')],
    ['a server out of memory (53200)', withCode('53200', 'out of memory')],
    ['a configured limit reached (53400)', withCode('53400', 'temporary file size exceeds temp_file_limit (1024kB)')],
    [
      'a database whose connections are turned off (55000)',
      withCode('55000', 'database "chronicle" is not currently accepting connections'),
    ],
  ])('answers 503 DATABASE_UNAVAILABLE with Retry-After for %s', (_, error) => {
    const response = toErrorResponse(error);
    expect([response.status, response.body.error.code]).toEqual([503, 'DATABASE_UNAVAILABLE']);
    expect(Number(response.headers?.['retry-after'])).toBeGreaterThan(0);
  });

  it('answers 503 DATABASE_TIMEOUT with Retry-After for a statement PostgreSQL cancelled (57014)', () => {
    const response = toErrorResponse(withCode('57014', 'canceling statement due to statement timeout'));
    expect([response.status, response.body.error.code]).toEqual([503, 'DATABASE_TIMEOUT']);
    expect(Number(response.headers?.['retry-after'])).toBeGreaterThan(0);
  });

  it('is told apart from other database errors, which stay 500', () => {
    expect(toErrorResponse(withCode('42P01', 'relation "x" does not exist')).status).toBe(500);
    expect(toErrorResponse(withCode('530', 'no SQLSTATE')).status).toBe(500);
    // 55000 is also other statements' refusal: only the connection's message is the outage.
    expect(toErrorResponse(withCode('55000', 'cannot refresh materialized view "x" concurrently')).status).toBe(500);
  });
});
