import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MeasureContext, SecretLookup } from './context.js';
import { createHttpTransport } from './http/http-transport.js';

/** One request as the backend received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface CannedResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering. */
  delayMs?: number;
}

/** A local HTTP server standing in for a metric backend: records requests, answers with what the test says. */
export interface FakeBackend {
  url: string;
  requests: RecordedRequest[];
  /** Answers for the next requests, in order; the last one repeats. */
  respond(...responses: (CannedResponse | ((request: RecordedRequest) => CannedResponse))[]): void;
  close(): Promise<void>;
}

export async function startFakeBackend(): Promise<FakeBackend> {
  const requests: RecordedRequest[] = [];
  let answers: (CannedResponse | ((request: RecordedRequest) => CannedResponse))[] = [{ status: 200, body: '{}' }];
  const server: Server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const target = new URL(incoming.url ?? '/', 'http://backend');
      const request: RecordedRequest = {
        method: incoming.method ?? '',
        path: target.pathname,
        query: target.search.slice(1),
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      const next = answers.length > 1 ? answers.shift() : answers[0];
      const answer = typeof next === 'function' ? next(request) : (next ?? {});
      const send = (): void => {
        if (response.destroyed) return;
        response.writeHead(answer.status ?? 200, { 'Content-Type': 'application/json', ...answer.headers }).end(answer.body ?? '');
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond(...responses) {
      answers = responses;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Secrets from a plain table. */
export function secretsFrom(table: Record<string, Record<string, string>>): SecretLookup {
  return (name) => Promise.resolve(table[name]);
}

export const FIXED_NOW = new Date('2024-03-05T09:07:30Z');

/** A context for measuring against local fakes at a fixed time, with no address policy (as the in-cluster agent). */
export function testContext(overrides: Partial<MeasureContext> = {}): MeasureContext {
  return {
    http: createHttpTransport(),
    secrets: secretsFrom({}),
    run: { name: 'checkout-6d8f9-2', namespace: 'shop', uid: 'a1b2c3d4' },
    metricName: 'success-rate',
    measurementIndex: 1,
    now: () => FIXED_NOW,
    ...overrides,
  };
}
