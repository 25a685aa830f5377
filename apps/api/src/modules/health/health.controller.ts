import { Controller, Get, Header, HttpException, HttpStatus, Inject, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import { pingDatabase, type DatabaseClient } from '@flotilla/stores';
import { probeAll } from '@flotilla/service-runtime';
import { DATABASE, REDIS } from '../../infrastructure/tokens.js';
import { GRAPHIQL_ASSETS, GRAPHIQL_PAGE, GRAPHIQL_PAGE_ASSETS } from './graphiql.js';
import { ServingState } from './serving-state.js';

@Controller()
export class HealthController {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseClient,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly serving: ServingState,
  ) {}

  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready when both Postgres and Redis answer, until the process begins to stop. */
  @Get('readyz')
  async readyz(): Promise<{ status: 'ready'; postgres: 'ok'; redis: 'ok' }> {
    if (this.serving.draining) throw new HttpException({ status: 'stopping' }, HttpStatus.SERVICE_UNAVAILABLE);
    const { ready, checks } = await probeAll({ postgres: () => pingDatabase(this.database), redis: () => this.redis.ping() });
    if (!ready) throw new HttpException({ status: 'unavailable', ...checks }, HttpStatus.SERVICE_UNAVAILABLE);
    return { status: 'ready', postgres: 'ok', redis: 'ok' };
  }

  @Get('graphiql')
  @Header('content-type', 'text/html; charset=utf-8')
  graphiql(): string {
    return GRAPHIQL_PAGE;
  }

  @Get('graphiql/assets/:file')
  graphiqlAsset(@Param('file') file: string, @Res() response: Response): void {
    const own = GRAPHIQL_PAGE_ASSETS.get(file);
    if (own) {
      response.setHeader('content-type', own.contentType);
      response.send(own.body);
      return;
    }
    const path = GRAPHIQL_ASSETS.get(file);
    if (!path) throw new HttpException('not found', HttpStatus.NOT_FOUND);
    response.sendFile(path, { maxAge: '1d' });
  }
}
