import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface BackendAnswer {
  status?: number;
  body: unknown;
  delayMs?: number;
}

/** A local HTTP server standing in for a metric backend: records every request and answers as the test says. */
export interface MetricBackend {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Requests being answered right now, and the most there ever were at once. */
  readonly load: { current: number; highest: number };
  answer(respond: (request: ReceivedRequest) => BackendAnswer): void;
  close(): Promise<void>;
}

export async function startMetricBackend(): Promise<MetricBackend> {
  const requests: ReceivedRequest[] = [];
  const load = { current: 0, highest: 0 };
  let respond: (request: ReceivedRequest) => BackendAnswer = () => ({ body: {} });
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const request: ReceivedRequest = {
        method: incoming.method ?? '',
        url: incoming.url ?? '/',
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      load.current += 1;
      load.highest = Math.max(load.highest, load.current);
      const { status = 200, body, delayMs = 0 } = respond(request);
      setTimeout(() => {
        load.current -= 1;
        if (!response.destroyed) response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    load,
    answer: (next) => {
      respond = next;
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
