// Clients flooding the app from a worker thread: real clients do not share the app's one
// thread, so their own work must not count against the latency a test measures there.
//
// Plain ESM JavaScript: worker threads run outside ts-jest.
//
// workerData: { url, headers, body (string or bytes), clients, requestsPerClient, timeoutMs, stop }
// Each client sends until it has sent requestsPerClient, or `stop` (an Int32Array on a
// SharedArrayBuffer) holds 1. Posts the statuses of every response once all clients are done.
/* global fetch, AbortSignal */
import { parentPort, workerData } from 'node:worker_threads';

const { url, headers, body, clients, requestsPerClient, timeoutMs, stop } = workerData;
const statuses = [];

const client = async () => {
  for (let sent = 0; sent < requestsPerClient && Atomics.load(stop, 0) === 0; sent++) {
    const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    statuses.push(response.status);
  }
};

await Promise.all(Array.from({ length: clients }, client));
parentPort.postMessage(statuses);
