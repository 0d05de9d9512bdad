import { expect } from '@jest/globals';

/** A response as the e2e specs inspect it. */
export interface Reply {
  readonly status: number;
  readonly etag: string | null;
  readonly headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies are checked by the assertions
  readonly body: any;
}

/**
 * One request over real HTTP: a JSON body when there is one (and no content type when there
 * is none), a 10 s limit so a hung request fails the test, and the body parsed if any.
 */
export const sendJson = async (
  baseUrl: string,
  method: string,
  path: string,
  headers: Readonly<Record<string, string>> | null,
  body?: unknown,
): Promise<Reply> => {
  const rest = Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => name !== 'content-type'));
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? rest : { ...rest, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, etag: response.headers.get('etag'), headers: response.headers, body: text ? JSON.parse(text) : null };
};

/** The status and the error code. */
export const expectErrorCode = (reply: Pick<Reply, 'status' | 'body'>, status: number, code: string): void =>
  expect({ status: reply.status, code: reply.body?.error?.code }).toEqual({ status, code });

/** The status, the code, and the one error shape every route answers with. */
export const expectError = (reply: Pick<Reply, 'status' | 'body'>, status: number, code: string): void => {
  expectErrorCode(reply, status, code);
  expect(reply.body).toEqual({ error: { code, message: expect.any(String), details: expect.any(Object) } });
};
