import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module.js';
import type { ApiConfig } from './config/api-config.js';
import { ErrorCode } from './common/errors.js';
import type { Logger } from './infrastructure/logger.js';

export interface RunningApi {
  app: NestExpressApplication;
  url: string;
  close(): Promise<void>;
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
      response.status(400).json({ errors: [{ message: 'the request body is not valid JSON', extensions: { code: ErrorCode.InputInvalid } }] });
      return;
    }
    next(error);
  };
}

/** Starts the control plane's HTTP server: GraphQL (with subscriptions), health, metrics and GraphiQL. */
export async function startApi(config: ApiConfig, logger: Logger, options: { writeSchema?: boolean } = {}): Promise<RunningApi> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), {
    bodyParser: false,
    logger: false,
  });
  app.use(express.json({ limit: config.maxRequestBytes }));
  app.use(bodyErrorHandler(config));
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address() as AddressInfo;
  const url = `http://${config.host}:${address.port}`;
  logger.info({ url, graphql: `${url}/graphql`, graphiql: `${url}/graphiql` }, 'control plane API listening');
  return { app, url, close: () => app.close() };
}
