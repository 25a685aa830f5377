import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppModule } from './app.module.js';
import type { ApiConfig } from './config/api-config.js';
import { ErrorCode, startMetricsServer, type Logger } from '@flotilla/service-runtime';
import { compileProxyTrust } from './common/http/client-address.js';
import { acceptProxyProtocol } from './common/http/proxy-protocol.js';
import { securityHeaders } from './security-headers.js';
import { ApiMetrics } from './modules/health/metrics.js';
import { ServingState } from './modules/health/serving-state.js';

export interface RunningApi {
  app: NestExpressApplication;
  url: string;
  /** The metrics port's address; `/metrics` is served there only. */
  metricsUrl: string;
  /** Turns `/readyz` to 503 and refuses new agents, then goes on serving for `drainMs` while load balancers notice. */
  drain(drainMs: number): Promise<void>;
  /**
   * Stops listening, closes idle keep-alive connections, tells agents to reconnect elsewhere, gives requests under way
   * `inFlightGraceMs` to finish and then cuts every connection left, and closes the application's WebSockets and its
   * Postgres and Redis connections.
   */
  close(inFlightGraceMs?: number): Promise<void>;
}

/** Answers body-parser failures (too large, malformed JSON) in the GraphQL error shape instead of HTML. */
function bodyErrorHandler(config: ApiConfig) {
  return (error: { type?: string; status?: number }, _request: Request, response: Response, next: NextFunction): void => {
    if (error.type === 'entity.too.large') {
      response.status(413).json({
        errors: [{ message: `the request exceeds ${config.maxRequestBytes} bytes`, extensions: { code: ErrorCode.RequestTooLarge } }],
      });
      return;
    }
    if (error.type === 'entity.parse.failed') {
      response
        .status(400)
        .json({ errors: [{ message: 'the request body is not valid JSON', extensions: { code: ErrorCode.InputInvalid } }] });
      return;
    }
    next(error);
  };
}

const DEFAULT_DASHBOARD_DIRECTORY = fileURLToPath(new URL('../../dashboard/dist', import.meta.url));
// `/metrics` lives on the metrics port; here it stays a 404 rather than the dashboard's page, so that a scraper
// pointed at the public port fails plainly.
const SERVER_PATHS = /^\/(graphql|graphiql|healthz|readyz|metrics|agent)(\/|$)/;

/**
 * Serves the dashboard's built files, and its index page for every other page address the dashboard routes
 * itself (a single-page application), when the dashboard has been built.
 */
function serveDashboard(app: NestExpressApplication, directory: string, logger: Logger): void {
  const index = join(directory, 'index.html');
  if (!existsSync(index)) {
    logger.info({ directory }, 'no dashboard build found; the dashboard is not served');
    return;
  }
  app.useStaticAssets(directory, { index: false, maxAge: '1h' });
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' || SERVER_PATHS.test(request.path) || !request.accepts('html')) return next();
    response.sendFile(index);
  });
}

/** Starts the control plane's HTTP server (GraphQL with subscriptions, health, GraphiQL) and its metrics server. */
export async function startApi(config: ApiConfig, logger: Logger, options: { writeSchema?: boolean } = {}): Promise<RunningApi> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), {
    bodyParser: false,
    logger: false,
    // A provider that fails to start rejects this promise, for the caller to report, instead of ending the process.
    abortOnError: false,
  });
  if (config.proxyProtocol) acceptProxyProtocol(app.getHttpServer(), compileProxyTrust(config.trustedProxies), logger);
  // request.ip and request.secure believe X-Forwarded-* only from these proxies, as the agent gateway does.
  app.set('trust proxy', config.trustedProxies);
  app.use(securityHeaders());
  app.use(express.json({ limit: config.maxRequestBytes }));
  app.use(bodyErrorHandler(config));
  serveDashboard(app, config.dashboardDirectory ?? DEFAULT_DASHBOARD_DIRECTORY, logger);
  // A request must arrive whole within the request timeout, however slowly its client sends it.
  const server: Server = app.getHttpServer();
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = Math.min(server.headersTimeout, config.requestTimeoutMs);
  await app.listen(config.port, config.host);
  const metricsServer = await startMetricsServer(config, app.get(ApiMetrics).registry);
  const address = server.address() as AddressInfo;
  const url = `http://${config.host}:${address.port}`;
  logger.info(
    { url, graphql: `${url}/graphql`, graphiql: `${url}/graphiql`, metrics: `${metricsServer.url}/metrics` },
    'control plane API listening',
  );
  return {
    app,
    url,
    metricsUrl: metricsServer.url,
    async drain(drainMs) {
      app.get(ServingState).drain();
      await new Promise((resolve) => setTimeout(resolve, drainMs));
    },
    async close(inFlightGraceMs = 5000) {
      // Stops listening at once, before the agents are told to go: they must find another replica when they return.
      server.close();
      server.closeIdleConnections();
      await metricsServer.close();
      const cut = setTimeout(() => server.closeAllConnections(), inFlightGraceMs).unref();
      try {
        await app.close();
      } finally {
        clearTimeout(cut);
      }
    },
  };
}
