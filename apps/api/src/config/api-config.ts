import {
  flag,
  integer,
  list,
  loadSettings,
  port,
  readControlPlaneSettings,
  readMetricsListener,
  requireDistinctPorts,
  type ControlPlaneSettings,
  type Environment,
  type MetricsListener,
} from '@flotilla/service-runtime';
import { isAddressOrRange } from '../common/http/client-address.js';

export interface ApiConfig extends ControlPlaneSettings, MetricsListener {
  host: string;
  port: number;
  /** Largest request body accepted, in bytes. */
  maxRequestBytes: number;
  maxQueryDepth: number;
  maxQueryComplexity: number;
  /** Most lexical tokens a GraphQL document may hold; larger ones are not parsed. */
  maxQueryTokens: number;
  /** Most fields an operation may ask for at its root, after fragments are spread. */
  maxRootFields: number;
  /** Most aliased fields in one operation. */
  maxQueryAliases: number;
  /** Most entries of any list (and keys of any JSON object) in the arguments. */
  maxListArgumentEntries: number;
  /** Longest string argument, in characters; `applyManifests`' YAML is bounded by maxRequestBytes alone. */
  maxStringArgumentLength: number;
  /** How long a GraphQL request may run, and each API database statement with it; subscriptions excepted. */
  requestTimeoutMs: number;
  /** Points each API token may spend per window; a request costs its price (see query limits). */
  rateLimitPoints: number;
  rateLimitWindowSeconds: number;
  /** Requests without a valid token each client address may make per window. */
  rateLimitAnonymousRequests: number;
  /** The shortest metric `interval` templates may ask for, to protect metric backends. */
  minimumMetricIntervalSeconds: number;
  /** Where the dashboard's built files are served from, when present. */
  dashboardDirectory: string | undefined;
  /** Addresses and CIDRs of the load balancers whose `X-Forwarded-For` or PROXY protocol header is believed. */
  trustedProxies: string[];
  /** Connections from trusted proxies start with a PROXY protocol (v1 or v2) header. */
  proxyProtocol: boolean;
  /** How long after SIGTERM the API keeps serving with `/readyz` at 503, for load balancers to stop sending it work. */
  shutdownDrainSeconds: number;
  agent: AgentConnectionLimits;
  subscriptions: SubscriptionLimits;
}

/** What graphql-ws connections (at `/graphql`) may hold. */
export interface SubscriptionLimits {
  /** Connections one API token may have open to one API process. */
  maxConnectionsPerToken: number;
  /** Subscriptions one connection may have running at once. */
  maxSubscriptionsPerConnection: number;
  /** How often each connection's token is authenticated again; a revoked or deleted token's connections are closed. */
  tokenRecheckMs: number;
}

/** What one agent connection may cost the control plane. */
export interface AgentConnectionLimits {
  /** Largest WebSocket message an agent may send. */
  maxMessageBytes: number;
  /** What may wait unsent to one agent, beyond its snapshot, before its connection is closed as not reading. */
  maxBufferedBytes: number;
  /** Time from opening TCP to a completed (authenticated) upgrade. */
  handshakeTimeoutMs: number;
  /** Upgrades of one client address being authenticated at once. */
  maxPendingHandshakesPerAddress: number;
  /** Messages one agent connection may send per second. */
  messagesPerSecond: number;
  /** Times within a minute an agent may be told `rate_limited` before it is disconnected. */
  rateLimitStrikes: number;
  /** How often agents are told to send a heartbeat. */
  heartbeatIntervalSeconds: number;
}

function addressList(environment: Environment, name: string, problems: string[]): string[] {
  const entries = list(environment, name);
  for (const entry of entries)
    if (!isAddressOrRange(entry)) problems.push(`${name} holds ${JSON.stringify(entry)}, which is neither an IP address nor a CIDR range`);
  return entries;
}

/** Reads the API's settings, adding what is wrong with them to `problems`. */
export function readApiConfig(environment: Environment, problems: string[]): ApiConfig {
  const config: ApiConfig = {
    ...readControlPlaneSettings(environment, problems),
    host: environment.HOST || '127.0.0.1',
    port: port(environment, 'PORT', 3000, problems),
    ...readMetricsListener(environment, 9464, problems),
    maxRequestBytes: integer(environment, 'MAX_REQUEST_BYTES', 1024 * 1024, problems),
    maxQueryDepth: integer(environment, 'MAX_QUERY_DEPTH', 12, problems),
    maxQueryComplexity: integer(environment, 'MAX_QUERY_COMPLEXITY', 20_000, problems),
    maxQueryTokens: integer(environment, 'MAX_QUERY_TOKENS', 5000, problems),
    maxRootFields: integer(environment, 'MAX_ROOT_FIELDS', 20, problems),
    maxQueryAliases: integer(environment, 'MAX_QUERY_ALIASES', 50, problems, 0),
    maxListArgumentEntries: integer(environment, 'MAX_LIST_ARGUMENT_ENTRIES', 100, problems),
    maxStringArgumentLength: integer(environment, 'MAX_STRING_ARGUMENT_LENGTH', 4096, problems),
    requestTimeoutMs: integer(environment, 'REQUEST_TIMEOUT_MS', 30_000, problems),
    rateLimitPoints: integer(environment, 'RATE_LIMIT_POINTS', 1_000_000, problems),
    rateLimitWindowSeconds: integer(environment, 'RATE_LIMIT_WINDOW_SECONDS', 60, problems),
    rateLimitAnonymousRequests: integer(environment, 'RATE_LIMIT_ANONYMOUS_REQUESTS', 300, problems),
    minimumMetricIntervalSeconds: integer(environment, 'MIN_METRIC_INTERVAL_SECONDS', 5, problems),
    dashboardDirectory: environment.DASHBOARD_DIR || undefined,
    trustedProxies: addressList(environment, 'TRUSTED_PROXIES', problems),
    proxyProtocol: flag(environment, 'PROXY_PROTOCOL', problems),
    shutdownDrainSeconds: integer(environment, 'SHUTDOWN_DRAIN_SECONDS', 0, problems, 0),
    agent: {
      maxMessageBytes: integer(environment, 'AGENT_MAX_MESSAGE_BYTES', 1024 * 1024, problems),
      maxBufferedBytes: integer(environment, 'AGENT_MAX_BUFFERED_BYTES', 8 * 1024 * 1024, problems),
      handshakeTimeoutMs: integer(environment, 'AGENT_HANDSHAKE_TIMEOUT_MS', 10_000, problems),
      maxPendingHandshakesPerAddress: integer(environment, 'AGENT_MAX_PENDING_HANDSHAKES', 20, problems),
      messagesPerSecond: integer(environment, 'AGENT_MESSAGES_PER_SECOND', 5_000, problems),
      rateLimitStrikes: integer(environment, 'AGENT_RATE_LIMIT_STRIKES', 10, problems),
      heartbeatIntervalSeconds: integer(environment, 'AGENT_HEARTBEAT_SECONDS', 5, problems),
    },
    subscriptions: {
      maxConnectionsPerToken: integer(environment, 'SUBSCRIPTION_MAX_CONNECTIONS_PER_TOKEN', 20, problems),
      maxSubscriptionsPerConnection: integer(environment, 'SUBSCRIPTION_MAX_PER_CONNECTION', 50, problems),
      tokenRecheckMs: integer(environment, 'SUBSCRIPTION_TOKEN_RECHECK_MS', 30_000, problems),
    },
  };
  requireDistinctPorts(config, { name: 'PORT', host: config.host, port: config.port }, problems);
  if (config.proxyProtocol && config.trustedProxies.length === 0)
    problems.push('PROXY_PROTOCOL needs TRUSTED_PROXIES: only trusted proxies may send the header');
  if (config.shutdownDrainSeconds >= config.shutdownGraceSeconds)
    problems.push('SHUTDOWN_DRAIN_SECONDS must be below SHUTDOWN_GRACE_SECONDS, or nothing would be left to finish requests in');
  if (config.rateLimitPoints < config.maxQueryComplexity)
    problems.push('RATE_LIMIT_POINTS must be at least MAX_QUERY_COMPLEXITY, or the costliest queries could never run');
  return config;
}

/** Reads and validates the API's configuration once at boot; every problem is reported together. */
export function loadApiConfig(environment: Environment = process.env): ApiConfig {
  return loadSettings(readApiConfig, environment);
}
