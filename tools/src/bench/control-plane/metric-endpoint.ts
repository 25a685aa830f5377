import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The web endpoint the benchmark's metrics measure: answers `{"ok":1}` to every request and remembers, for each
 * path, when each request arrived (the path names the run's slot and the metric, so that arrivals line up with
 * measurements in order).
 */
export interface MetricEndpoint {
  /** Base URL, without a trailing slash. */
  readonly url: string;
  /** Requests answered so far. */
  requests(): number;
  /** Arrival times (epoch ms) by request path, oldest first. */
  readonly arrivals: ReadonlyMap<string, readonly number[]>;
  close(): Promise<void>;
}

const BODY = JSON.stringify({ ok: 1 });

export async function startMetricEndpoint(): Promise<MetricEndpoint> {
  const arrivals = new Map<string, number[]>();
  let requests = 0;
  const server = createServer((request, response) => {
    const arrivedAt = Date.now();
    requests += 1;
    const path = request.url ?? '/';
    const seen = arrivals.get(path);
    if (seen) seen.push(arrivedAt);
    else arrivals.set(path, [arrivedAt]);
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
    response.end(BODY);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
