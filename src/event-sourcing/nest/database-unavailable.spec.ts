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
  ])('answers 503 DATABASE_UNAVAILABLE with Retry-After for %s', (_, error) => {
    const response = toErrorResponse(error);
    expect([response.status, response.body.error.code]).toEqual([503, 'DATABASE_UNAVAILABLE']);
    expect(Number(response.headers?.['retry-after'])).toBeGreaterThan(0);
  });

  it('is told apart from other database errors, which stay 500', () => {
    expect(toErrorResponse(withCode('42P01', 'relation "x" does not exist')).status).toBe(500);
  });
});
