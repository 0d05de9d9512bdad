import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * A client that sends its headers and then trickles its body (or sends nothing more) is cut
 * off after HTTP_REQUEST_TIMEOUT_MS / HTTP_CONNECTION_TIMEOUT_MS instead of holding a
 * connection forever. Short timeouts here; the trickle would go on for many times longer.
 */
const REQUEST_TIMEOUT_MS = 400;
const CONNECTION_TIMEOUT_MS = 300;
const DECLARED_BODY_BYTES = 100;
const TRICKLE_STEP_MS = 50;
/** How long the client waits after it stopped sending, so a server that never cuts it off fails the test. */
const GIVE_UP_MS = 5_000;

interface RawExchange {
  /** Everything the server sent before it closed the connection. */
  readonly answer: string;
  /** How many body bytes the client got to send. */
  readonly sent: number;
  readonly closedByServer: boolean;
}

/**
 * Sends the headers of a POST, then `send` writes the body (or not); ends when the server
 * closes the connection, or GIVE_UP_MS after `send` is done.
 */
const rawPost = (app: TestApp, send: (socket: Socket, closed: () => boolean) => Promise<void>): Promise<RawExchange> =>
  new Promise((resolve, reject) => {
    const { port } = new URL(app.baseUrl);
    const socket = connect(Number(port), '127.0.0.1');
    const headers =
      `POST /v1/reservations/validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${DECLARED_BODY_BYTES}\r\n\r\n`;
    const sent = () => socket.bytesWritten - headers.length;
    let answer = '';
    let closed = false;
    let giveUp: NodeJS.Timeout | undefined;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', () => undefined); // a reset is how some cut-offs look
    socket.on('close', () => {
      clearTimeout(giveUp);
      if (!closed) resolve({ answer, sent: sent(), closedByServer: true });
      closed = true;
    });
    socket.on('connect', () => {
      socket.write(headers);
      const stillOpen = () => {
        closed = true;
        socket.destroy();
        resolve({ answer, sent: sent(), closedByServer: false });
      };
      send(socket, () => closed)
        .then(() => {
          if (!closed) giveUp = setTimeout(stillOpen, GIVE_UP_MS);
        })
        .catch(reject);
    });
  });

describe('Slow clients', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HTTP_CONNECTION_TIMEOUT_MS: String(CONNECTION_TIMEOUT_MS),
    });
  });
  afterAll(() => app.close());

  describe('when the body trickles in a byte at a time', () => {
    it('is answered 408 REQUEST_TIMEOUT in the common shape and cut off before the body is complete', async () => {
      const trickle = async (socket: Socket, closed: () => boolean): Promise<void> => {
        for (let sent = 0; sent < DECLARED_BODY_BYTES && !closed(); sent++) {
          socket.write(' ');
          await sleep(TRICKLE_STEP_MS);
        }
      };

      const { answer, sent, closedByServer } = await rawPost(app, trickle);

      expect({ closedByServer, complete: sent === DECLARED_BODY_BYTES }).toEqual({
        closedByServer: true,
        complete: false,
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
        error: { code: 'REQUEST_TIMEOUT', message: expect.any(String), details: {} },
      });
    });
  });

  describe('when nothing follows the headers', () => {
    it('is disconnected', async () => {
      const { closedByServer } = await rawPost(app, async () => undefined);
      expect(closedByServer).toBe(true);
    });
  });

  describe('when the request arrives at once', () => {
    it('is served', async () => {
      const response = await fetch(`${app.baseUrl}/health`);
      expect(response.status).toBe(200);
    });
  });
});
