import type { Client } from 'graphql-ws';
import { CliError, ExitCode } from '../cli/cli-error.js';
import type { Connection } from '../config/connection.js';
import { printableStrings } from '../output/printable.js';
import { ApiError, type ApiProblem } from './api-error.js';

interface GraphqlErrorBody {
  message?: string;
  extensions?: { code?: string; problems?: ApiProblem[] };
}

interface GraphqlBody<D> {
  data?: D | null;
  errors?: GraphqlErrorBody[];
}

function apiErrorFrom(errors: readonly GraphqlErrorBody[]): ApiError {
  const [first] = errors;
  const code = first?.extensions?.code ?? 'error';
  const others = errors.slice(1).map((error) => ({ path: '', message: error.message ?? 'unknown error' }));
  return new ApiError(code, first?.message ?? 'unknown error', [...(first?.extensions?.problems ?? []), ...others]);
}

const NO_TOKEN_HELP =
  'no API token: pass --token, set FLOTILLA_TOKEN, put token or tokenFile in ~/.config/flotilla/config.yaml, or run the local demo (npm start), which writes .flotilla/token for its own address';

/** A subscription that ends when disposed. */
export interface Subscription {
  dispose(): Promise<void>;
}

export interface SubscriptionHandlers<D> {
  next(data: D): void;
  error(error: CliError): void;
}

/**
 * What the strings of the API's answers become: `printable` for text output, where a control character in a message
 * or reason (an OSC 52 clipboard write, an erase-line) would reach the terminal, each shown as `\xHH` before the CLI
 * adds its own colours; `as-sent` for `-o json|yaml`, which print what the API sent, and for what is hashed or sent back.
 */
export type AnswerStrings = 'printable' | 'as-sent';

/** Calls the GraphQL API over HTTP, and over graphql-ws for subscriptions. */
export class ApiClient {
  private socketClient: Client | undefined;

  constructor(
    readonly connection: Connection,
    private readonly answerStrings: AnswerStrings,
  ) {}

  private answer<D>(data: D, strings = this.answerStrings): D {
    return strings === 'printable' ? printableStrings(data) : data;
  }

  private authorization(): string {
    const { token, tokenSource } = this.connection;
    if (token === undefined) throw new CliError(ExitCode.Auth, NO_TOKEN_HELP, tokenSource === 'nowhere' ? [] : [tokenSource]);
    return `Bearer ${token}`;
  }

  /** Runs one query or mutation; the API's errors come back as `ApiError`, with its code and problems. */
  async request<D>(document: string, variables: Record<string, unknown> = {}, strings = this.answerStrings): Promise<D> {
    const authorization = this.authorization();
    const url = `${this.connection.server}/graphql`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ query: document, variables }),
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new CliError(ExitCode.Failure, `cannot reach the API at ${this.connection.server}: ${cause}`, [
        'set --server or FLOTILLA_SERVER to where the control plane listens',
      ]);
    }
    let body: GraphqlBody<D>;
    try {
      body = (await response.json()) as GraphqlBody<D>;
    } catch {
      throw new CliError(ExitCode.Failure, `the API at ${url} answered HTTP ${response.status} without GraphQL JSON; is --server right?`);
    }
    if (body.errors !== undefined && body.errors.length > 0) throw this.explain(apiErrorFrom(body.errors));
    if (body.data === null || body.data === undefined)
      throw new CliError(ExitCode.Failure, `the API answered HTTP ${response.status} without data`);
    return this.answer(body.data, strings);
  }

  private explain(error: ApiError): ApiError | CliError {
    if (error.code !== 'auth/unauthenticated') return error;
    return new CliError(ExitCode.Auth, error.message, [`the token came from ${this.connection.tokenSource}`]);
  }

  /**
   * Starts a subscription; `next` gets each event's data until `dispose`. The WebSocket client is loaded only here,
   * which keeps every other command quick to start.
   */
  async subscribe<D>(document: string, variables: Record<string, unknown>, handlers: SubscriptionHandlers<D>): Promise<Subscription> {
    const authorization = this.authorization();
    const [{ createClient }, { default: WebSocket }] = await Promise.all([import('graphql-ws'), import('ws')]);
    this.socketClient ??= createClient({
      url: `${this.connection.server.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization },
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => true,
    });
    const unsubscribe = this.socketClient.subscribe<D>(
      { query: document, variables },
      {
        next: (message) => {
          if (message.errors !== undefined && message.errors.length > 0) handlers.error(this.explain(apiErrorFrom(message.errors)));
          else if (message.data) handlers.next(this.answer(message.data));
        },
        error: (error) => handlers.error(subscriptionFailure(error)),
        complete: () => undefined,
      },
    );
    return {
      dispose: async () => {
        unsubscribe();
        await this.socketClient?.dispose();
        this.socketClient = undefined;
      },
    };
  }
}

function subscriptionFailure(error: unknown): CliError {
  if (Array.isArray(error)) return apiErrorFrom(error as GraphqlErrorBody[]);
  const reason =
    error instanceof Error
      ? error.message
      : typeof error === 'object' && error !== null && 'reason' in error
        ? String(error.reason)
        : String(error);
  return new CliError(ExitCode.Failure, `the subscription failed: ${reason}`);
}
