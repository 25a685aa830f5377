import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { probeAll, requestPath } from '@flotilla/service-runtime';

export interface WorkerHealthOptions {
  host: string;
  port: number;
  /** What `/readyz` asks, by name: each must answer for the worker to be ready. */
  probes: Record<string, () => Promise<unknown>>;
}

export interface WorkerHealthServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The worker's small HTTP server for its probes: `/healthz` (the process answers) and `/readyz` (every dependency
 * answers, 503 naming those that do not). Metrics have a port of their own (startMetricsServer).
 */
export async function startWorkerHealth(options: WorkerHealthOptions): Promise<WorkerHealthServer> {
  const server: Server = createServer((request, response) => {
    const answer = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const path = requestPath(request.url);
    if (path === undefined) return answer(400, { error: 'the request target is not a path' });
    if (request.method !== 'GET') return answer(405, { error: 'only GET is served' });
    switch (path) {
      case '/healthz':
        return answer(200, { status: 'ok' });
      case '/readyz':
        void probeAll(options.probes).then(({ ready, checks }) =>
          answer(ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', ...checks }),
        );
        return;
      default:
        return answer(404, { error: 'not found' });
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
