import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import helmet, { type HelmetOptions } from 'helmet';

export type SecurityHeaders = Readonly<Record<string, string>>;

/**
 * The headers helmet sets with `options`, read once off a response it is run on. With static
 * directives (no per-request nonce) they are the same on every answer, and running helmet's
 * middlewares per request cost ~2.5% of a command's CPU (each `setHeader` lowercases, interns
 * and validates its name). Names come lowercased, as Fastify keeps them.
 */
export const securityHeadersOf = (options: HelmetOptions): SecurityHeaders => {
  const response = new ServerResponse(new IncomingMessage(new Socket()));
  let outcome: { error?: unknown } | undefined;
  helmet(options)(response.req, response, (error?: unknown) => (outcome = { error }));
  if (!outcome) throw new Error('helmet did not finish at once: its headers cannot be computed ahead');
  if (outcome.error) throw outcome.error;
  return Object.fromEntries(Object.entries(response.getHeaders()).map(([name, value]) => [name, String(value)]));
};
