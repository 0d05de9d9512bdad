import { createHmac } from 'node:crypto';

export const base64url = (value: string | object): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** An HS256 JWT built by hand, so tests can make the ones the app must refuse. */
export const handMadeToken = (claims: object, secret: string, header: object = { alg: 'HS256', typ: 'JWT' }): string => {
  const unsigned = `${base64url(header)}.${base64url(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
};

/** Now in JWT time (seconds). */
export const nowInSeconds = (): number => Math.floor(Date.now() / 1000);
