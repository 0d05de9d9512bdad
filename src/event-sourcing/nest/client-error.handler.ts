import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

type Answer = readonly [status: number, code: string, message: string];

const ANSWERS: Readonly<Record<string, Answer>> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'REQUEST_TIMEOUT', 'The request did not arrive in time'],
  HPE_HEADER_OVERFLOW: [431, 'HEADERS_TOO_LARGE', 'The request headers are too large'],
};
const NOT_HTTP: Answer = [400, 'MALFORMED_REQUEST', 'The request is not valid HTTP'];

/**
 * Errors of a connection before a request reaches routing — one that did not arrive within
 * HTTP_REQUEST_TIMEOUT_MS, headers too large, bytes that are not HTTP — answered in the one
 * error shape (Fastify's own answer has another), and the connection closed, as Fastify does.
 */
export const answerClientError = (error: Error & { code?: string }, socket: Socket): void => {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] = ANSWERS[error.code ?? ''] ?? NOT_HTTP;
  const body = JSON.stringify({ error: { code, message, details: {} } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
};
