import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import helmet from 'helmet';
import { securityHeadersOf } from './security-headers.js';

describe('security headers computed ahead', () => {
  const options = { contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null } } };

  it('are those helmet sets on a response, names lowercased', () => {
    const response = new ServerResponse(new IncomingMessage(new Socket()));
    helmet(options)(response.req, response, () => undefined);

    const headers = securityHeadersOf(options);
    expect(headers).toEqual(Object.fromEntries(Object.entries(response.getHeaders()).map(([name, value]) => [name, String(value)])));
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['content-security-policy']).toContain("default-src 'self'");
    expect(headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
  });

  it('refuses options helmet refuses', () => {
    expect(() => securityHeadersOf({ contentSecurityPolicy: { directives: { 'default-src': ["'self'", 'not a source;'] } } })).toThrow();
  });
});
