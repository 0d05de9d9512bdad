import http from 'node:http';
import { jsonHeaders } from './routes.js';

/** One keep-alive connection, one request at a time: for timing a single request's path. */
export class SequentialClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /** POSTs `body`; resolves to the response body, rejects on any other status than `expected`. */
  post(path: string, body: string, expected: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const headers = { ...jsonHeaders(this.token), 'content-length': String(Buffer.byteLength(body)) };
      const request = http.request(`${this.baseUrl}${path}`, { method: 'POST', agent: this.agent, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (response.statusCode === expected) resolve(text);
          else reject(new Error(`POST ${path} answered ${response.statusCode}: ${text.slice(0, 300)}`));
        });
      });
      request.on('error', reject);
      request.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
