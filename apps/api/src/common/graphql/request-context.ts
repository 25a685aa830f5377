import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Principal } from '../auth/principal.js';
import type { FlotillaError } from '@flotilla/service-runtime';

/** What every resolver can know about the request it serves. */
export interface RequestContext {
  requestId: string;
  principal: Principal | undefined;
  authenticationError: FlotillaError | undefined;
  /** The client's address as Express sees it (behind trusted proxies, the forwarded one); none for WebSocket calls. */
  clientAddress: string | undefined;
  /** When an HTTP request must have been answered (epoch ms); subscriptions have none. */
  deadline: number | undefined;
}

export function newRequestId(request: IncomingMessage | undefined): string {
  const given = request?.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
}

export function requestContextOf(context: ExecutionContext): RequestContext {
  return GqlExecutionContext.create(context).getContext<RequestContext>();
}

/** The authenticated caller; the role guard has already refused requests without one. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = requestContextOf(context).principal;
  if (!principal) throw new Error('CurrentPrincipal used on a resolver without RequiresRole');
  return principal;
});

export const CurrentRequest = createParamDecorator((_data: unknown, context: ExecutionContext): RequestContext =>
  requestContextOf(context),
);
