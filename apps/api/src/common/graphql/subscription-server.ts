import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import type { GraphQLSchemaHost } from '@nestjs/graphql';
import {
  getOperationAST,
  GraphQLError,
  OperationTypeNode,
  parse,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import { CloseCode, type ConnectionInitMessage, type Context, type Disposable, type SubscribePayload } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ErrorCode, FlotillaError, type Logger } from '@flotilla/service-runtime';
import type { ApiConfig } from '../../config/api-config.js';
import type { AuthService } from '../auth/auth.service.js';
import { authenticateMetered } from '../auth/metered-authentication.js';
import type { Principal } from '../auth/principal.js';
import { clientAddressOf, compileProxyTrust, type ProxyTrust } from '../http/client-address.js';
import type { RequestRateLimiter } from '../rate-limit/request-rate-limiter.js';
import { formatGraphqlError } from './format-error.js';
import { admitOperation, type QueryLimits } from './operation-admission.js';
import { newRequestId, type RequestContext } from './request-context.js';

/** Every upgrade whose target starts with this is a graphql-ws connection (the agent gateway leaves them alone). */
const SUBSCRIPTION_PATH = '/graphql';

/** WebSocket's "try again later": graphql-ws clients reconnect with their backoff. */
const CLOSE_TRY_AGAIN_LATER = 1013;
/** The longest close reason a WebSocket close frame can carry, in bytes. */
const MAX_CLOSE_REASON_BYTES = 123;

type SubscriberContext = Context<ConnectionInitMessage['payload'], Extra>;

/** An acknowledged connection: the token it authenticated with, checked again every `tokenRecheckMs`. */
interface Subscriber {
  authorization: string | undefined;
  principal: Principal;
  requestId: string;
}

function authorizationOf(connectionParams: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const given = connectionParams?.authorization ?? connectionParams?.Authorization;
  return typeof given === 'string' ? given : undefined;
}

/** Closes a socket with the error's code and message as the reason (cut to what a close frame holds). */
function closeFor(socket: WebSocket, closeCode: number, error: FlotillaError): false {
  socket.close(closeCode, Buffer.from(`${error.code}: ${error.message}`).subarray(0, MAX_CLOSE_REASON_BYTES).toString());
  return false;
}

/** The errors of a document that does not parse or validate, with the code Apollo gives them over HTTP. */
function withCode(errors: readonly GraphQLError[], code: string): GraphQLError[] {
  return errors.map(
    (error) =>
      new GraphQLError(error.message, {
        nodes: error.nodes,
        source: error.source,
        positions: error.positions,
        extensions: { ...error.extensions, code },
      }),
  );
}

const refusal = (error: FlotillaError): GraphQLError[] => [new GraphQLError(error.message, { originalError: error })];

/**
 * The graphql-ws server at `SUBSCRIPTION_PATH`, with the authentication and limits of HTTP: a connection is
 * acknowledged only for a valid token (metered by client address as HTTP requests are), and is closed when its
 * token no longer authenticates; it serves subscriptions only, each admitted as an HTTP operation is (parse size,
 * depth, price, aliases, root fields, argument bounds, the token's rate budget); messages are bounded by
 * MAX_REQUEST_BYTES, a token's connections per process and a connection's subscriptions by their settings.
 */
export class SubscriptionServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly server: WebSocketServer;
  private readonly subscribers = new Map<WebSocket, Subscriber>();
  private readonly proxyTrust: ProxyTrust;
  private readonly log: Logger;
  private readonly formatError: ReturnType<typeof formatGraphqlError>;
  private webSockets: Disposable | undefined;
  private recheckTimer: NodeJS.Timeout | undefined;
  private rechecking: Promise<void> | undefined;

  constructor(
    private readonly httpAdapterHost: HttpAdapterHost,
    private readonly schemaHost: GraphQLSchemaHost,
    private readonly auth: AuthService,
    private readonly rateLimiter: RequestRateLimiter,
    private readonly config: ApiConfig,
    private readonly limits: QueryLimits,
    logger: Logger,
  ) {
    this.server = new WebSocketServer({ noServer: true, maxPayload: config.maxRequestBytes });
    this.proxyTrust = compileProxyTrust(config.trustedProxies);
    this.log = logger.child({ component: 'subscriptions' });
    this.formatError = formatGraphqlError(logger);
  }

  onApplicationBootstrap(): void {
    this.webSockets = useServer(
      {
        schema: this.schemaHost.schema,
        onConnect: (context) => this.connect(context),
        onSubscribe: (context, _id, payload) => this.admit(context, payload),
        onNext: (_context, _id, _payload, _arguments, result: ExecutionResult) =>
          result.errors ? { ...result, errors: result.errors.map((error) => this.formatError(error.toJSON(), error)) } : result,
        onError: (_context, _id, _payload, errors) => errors.map((error) => this.formatError(error.toJSON(), error)),
        onClose: (context) => {
          this.subscribers.delete(context.extra.socket);
        },
      },
      this.server,
    );
    const httpServer = this.httpAdapterHost.httpAdapter.getHttpServer() as Server;
    httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!request.url?.startsWith(SUBSCRIPTION_PATH)) return;
      this.server.handleUpgrade(request, socket, head, (webSocket) => this.server.emit('connection', webSocket, request));
    });
    this.recheckTimer = setInterval(() => {
      this.rechecking ??= this.recheckTokens().finally(() => {
        this.rechecking = undefined;
      });
    }, this.config.subscriptions.tokenRecheckMs).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.recheckTimer);
    await this.rechecking;
    await this.webSockets?.dispose();
  }

  /** Acknowledges a connection whose `connection_init` carries a valid token, while the token has connections to spare. */
  private async connect({ connectionParams, extra: { socket, request } }: SubscriberContext): Promise<boolean> {
    const authorization = authorizationOf(connectionParams);
    const address = clientAddressOf(request, this.proxyTrust);
    let principal: Principal | FlotillaError;
    try {
      principal = await authenticateMetered(this.auth, this.rateLimiter, authorization, address);
    } catch (error) {
      if (error instanceof FlotillaError) return closeFor(socket, CLOSE_TRY_AGAIN_LATER, error);
      throw error;
    }
    if (principal instanceof FlotillaError) return closeFor(socket, CloseCode.Unauthorized, principal);
    const { maxConnectionsPerToken } = this.config.subscriptions;
    const { tokenId } = principal;
    const open = [...this.subscribers.values()].filter((subscriber) => subscriber.principal.tokenId === tokenId).length;
    if (open >= maxConnectionsPerToken) {
      this.log.warn({ tokenId, address }, 'subscription connection refused: the token has as many as it may');
      const message = `this token has ${open} subscription connections open; at most ${maxConnectionsPerToken} are allowed`;
      return closeFor(socket, CLOSE_TRY_AGAIN_LATER, new FlotillaError(ErrorCode.RateLimited, message));
    }
    this.subscribers.set(socket, { authorization, principal, requestId: newRequestId(request) });
    return true;
  }

  /** Admits a subscription as HTTP admits an operation; queries and mutations are refused, as is one subscription too many. */
  private async admit(
    { extra: { socket }, subscriptions }: SubscriberContext,
    payload: SubscribePayload,
  ): Promise<ExecutionArgs | readonly GraphQLError[]> {
    const subscriber = this.subscribers.get(socket);
    if (!subscriber) return refusal(new FlotillaError(ErrorCode.Unauthenticated, 'the connection is not authenticated'));
    const { maxSubscriptionsPerConnection } = this.config.subscriptions;
    // graphql-ws lists this subscription among the connection's before asking.
    const open = Object.keys(subscriptions).length;
    if (open > maxSubscriptionsPerConnection) {
      const message = `this connection has ${open - 1} subscriptions; at most ${maxSubscriptionsPerConnection} are allowed`;
      return refusal(new FlotillaError(ErrorCode.RateLimited, message));
    }
    let document: DocumentNode;
    try {
      document = parse(payload.query, { maxTokens: this.config.maxQueryTokens });
    } catch (error) {
      if (error instanceof GraphQLError) return withCode([error], 'GRAPHQL_PARSE_FAILED');
      throw error;
    }
    const schema = this.schemaHost.schema;
    const invalid = validate(schema, document);
    if (invalid.length > 0) return withCode(invalid, 'GRAPHQL_VALIDATION_FAILED');
    const operation = getOperationAST(document, payload.operationName);
    if (!operation) return refusal(new FlotillaError(ErrorCode.InputInvalid, 'the document names no operation to run'));
    if (operation.operation !== OperationTypeNode.SUBSCRIPTION) {
      return refusal(
        new FlotillaError(
          ErrorCode.InputInvalid,
          'queries and mutations are served over HTTP at /graphql; WebSocket serves subscriptions only',
        ),
      );
    }
    const variables = payload.variables ?? {};
    try {
      await admitOperation({ schema, document, operation, variables }, this.limits, this.rateLimiter, subscriber.principal);
    } catch (error) {
      if (error instanceof FlotillaError) return refusal(error);
      throw error;
    }
    const contextValue: RequestContext = {
      requestId: subscriber.requestId,
      principal: subscriber.principal,
      authenticationError: undefined,
      clientAddress: undefined,
      deadline: undefined,
    };
    return { schema, document, operationName: payload.operationName, variableValues: variables, contextValue };
  }

  /** Closes every connection whose token no longer authenticates (revoked, rotated or deleted); each token is looked up once. */
  private async recheckTokens(): Promise<void> {
    const checks = new Map<string | undefined, Promise<FlotillaError | undefined>>();
    const recheck = async (socket: WebSocket, { authorization }: Subscriber): Promise<void> => {
      let check = checks.get(authorization);
      if (!check) {
        check = this.failedAuthentication(authorization);
        checks.set(authorization, check);
      }
      const failure = await check;
      if (failure) closeFor(socket, CloseCode.Unauthorized, failure);
    };
    await Promise.all([...this.subscribers].map(([socket, subscriber]) => recheck(socket, subscriber)));
  }

  /** Why the token no longer authenticates; none when it does, or when it cannot be checked now (it is checked again later). */
  private async failedAuthentication(authorization: string | undefined): Promise<FlotillaError | undefined> {
    try {
      await this.auth.authenticate(authorization);
      return undefined;
    } catch (error) {
      if (error instanceof FlotillaError) return error;
      this.log.warn({ err: error }, 'a subscription token could not be checked again');
      return undefined;
    }
  }
}
