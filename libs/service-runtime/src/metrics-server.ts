import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { port, type Environment } from './config/readers.js';
import { requestPath } from './request-path.js';

/** Where a process serves `/metrics`: a port of its own, apart from what clients and load balancers reach. */
export interface MetricsListener {
  metricsHost: string;
  /** 0 takes any free port (logged at boot). */
  metricsPort: number;
}

/** Reads `METRICS_HOST` (default 127.0.0.1) and `METRICS_PORT` (default `defaultPort`). */
export function readMetricsListener(environment: Environment, defaultPort: number, problems: string[]): MetricsListener {
  return {
    metricsHost: environment.METRICS_HOST || '127.0.0.1',
    metricsPort: port(environment, 'METRICS_PORT', defaultPort, problems),
  };
}

/** Adds a problem when two listeners of one process are given the same fixed port on the same host. */
export function requireDistinctPorts(
  metrics: MetricsListener,
  other: { name: string; host: string; port: number },
  problems: string[],
): void {
  const sameHost = metrics.metricsHost === other.host || [metrics.metricsHost, other.host].some((host) => ['0.0.0.0', '::'].includes(host));
  if (metrics.metricsPort !== 0 && metrics.metricsPort === other.port && sameHost)
    problems.push(`METRICS_PORT must differ from ${other.name}: both are ${other.port}`);
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `GET /metrics` from `registry` and nothing else (404; 400 for a target that is no path). */
export async function startMetricsServer(listener: MetricsListener, registry: Registry): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = requestPath(request.url);
    if (path === undefined) return void response.writeHead(400, { 'content-type': 'text/plain' }).end('the request target is not a path\n');
    if (path !== '/metrics') return void response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return void response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('only GET is served\n');
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listener.metricsPort, listener.metricsHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${listener.metricsHost}]` : listener.metricsHost;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
