import { ConfigurationError } from '../common/errors.js';
import { isAddressOrRange } from '../common/http/client-address.js';

export interface ApiConfig {
  host: string;
  port: number;
  databaseUrl: string;
  redisUrl: string;
  logLevel: string;
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
  /** Prefix of every Redis key and channel, so that several deployments can share one Redis. */
  redisPrefix: string;
  /** Where the dashboard's built files are served from, when present. */
  dashboardDirectory: string | undefined;
  /** Seconds a measurement may take before it is recorded as an Error; agents are told what is left of it. */
  measurementTimeoutSeconds: number;
  /** Addresses and CIDRs of the load balancers whose `X-Forwarded-For` or PROXY protocol header is believed. */
  trustedProxies: string[];
  /** Connections from trusted proxies start with a PROXY protocol (v1 or v2) header. */
  proxyProtocol: boolean;
  /** PEM PKCS#8 Ed25519 private key that signs audit checkpoints; none turns checkpoints off. */
  auditSigningKeyFile: string | undefined;
  /** The worker signs a checkpoint of an organization's audit chain when its head moved and the last one is this old. */
  auditCheckpointIntervalSeconds: number;
  /** Seconds from SIGTERM to a forced exit; within them the process closes what it holds. */
  shutdownGraceSeconds: number;
  agent: AgentConnectionLimits;
}

/** What one agent connection may cost the control plane. */
export interface AgentConnectionLimits {
  /** Largest WebSocket message an agent may send. */
  maxMessageBytes: number;
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

export type Environment = Record<string, string | undefined>;

export function integer(environment: Environment, name: string, fallback: number, problems: string[], minimum = 1): number {
  const text = environment[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum)
    problems.push(`${name} must be an integer of at least ${minimum}, got ${JSON.stringify(text)}`);
  return value;
}

function flag(environment: Environment, name: string, problems: string[]): boolean {
  const text = environment[name];
  if (text === undefined || text === '' || text === 'false') return false;
  if (text !== 'true') problems.push(`${name} must be true or false, got ${JSON.stringify(text)}`);
  return text === 'true';
}

function addressList(environment: Environment, name: string, problems: string[]): string[] {
  const entries = (environment[name] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries)
    if (!isAddressOrRange(entry)) problems.push(`${name} holds ${JSON.stringify(entry)}, which is neither an IP address nor a CIDR range`);
  return entries;
}

function url(environment: Environment, name: string, fallback: string, protocols: string[], problems: string[]): string {
  const text = environment[name] || fallback;
  try {
    const parsed = new URL(text);
    if (!protocols.includes(parsed.protocol)) problems.push(`${name} must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
  } catch {
    problems.push(`${name} is not a URL`);
  }
  return text;
}

/** Reads the API's settings, adding what is wrong with them to `problems`. */
export function readApiConfig(environment: Environment, problems: string[]): ApiConfig {
  const config: ApiConfig = {
    host: environment.HOST || '127.0.0.1',
    port: integer(environment, 'PORT', 3000, problems, 0),
    databaseUrl: url(environment, 'DATABASE_URL', 'postgresql://postgres@127.0.0.1:5432/flotilla', ['postgresql:', 'postgres:'], problems),
    redisUrl: url(environment, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:'], problems),
    logLevel: environment.LOG_LEVEL || 'info',
    maxRequestBytes: integer(environment, 'MAX_REQUEST_BYTES', 1024 * 1024, problems),
    maxQueryDepth: integer(environment, 'MAX_QUERY_DEPTH', 12, problems),
    maxQueryComplexity: integer(environment, 'MAX_QUERY_COMPLEXITY', 5000, problems),
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
    redisPrefix: environment.REDIS_PREFIX || 'flotilla',
    dashboardDirectory: environment.DASHBOARD_DIR || undefined,
    measurementTimeoutSeconds: integer(environment, 'MEASUREMENT_TIMEOUT_SECONDS', 60, problems),
    trustedProxies: addressList(environment, 'TRUSTED_PROXIES', problems),
    proxyProtocol: flag(environment, 'PROXY_PROTOCOL', problems),
    auditSigningKeyFile: environment.AUDIT_SIGNING_KEY_FILE || undefined,
    auditCheckpointIntervalSeconds: integer(environment, 'AUDIT_CHECKPOINT_INTERVAL_SECONDS', 3600, problems),
    shutdownGraceSeconds: integer(environment, 'SHUTDOWN_GRACE_SECONDS', 20, problems),
    agent: {
      maxMessageBytes: integer(environment, 'AGENT_MAX_MESSAGE_BYTES', 1024 * 1024, problems),
      handshakeTimeoutMs: integer(environment, 'AGENT_HANDSHAKE_TIMEOUT_MS', 10_000, problems),
      maxPendingHandshakesPerAddress: integer(environment, 'AGENT_MAX_PENDING_HANDSHAKES', 20, problems),
      messagesPerSecond: integer(environment, 'AGENT_MESSAGES_PER_SECOND', 5_000, problems),
      rateLimitStrikes: integer(environment, 'AGENT_RATE_LIMIT_STRIKES', 10, problems),
      heartbeatIntervalSeconds: integer(environment, 'AGENT_HEARTBEAT_SECONDS', 5, problems),
    },
  };
  if (config.proxyProtocol && config.trustedProxies.length === 0)
    problems.push('PROXY_PROTOCOL needs TRUSTED_PROXIES: only trusted proxies may send the header');
  if (!/^[\w-]+$/.test(config.redisPrefix)) problems.push('REDIS_PREFIX may hold letters, digits, "_" and "-" only');
  if (config.rateLimitPoints < config.maxQueryComplexity)
    problems.push('RATE_LIMIT_POINTS must be at least MAX_QUERY_COMPLEXITY, or the costliest queries could never run');
  return config;
}

/** Reads and validates the configuration once at boot; every problem is reported together. */
export function loadApiConfig(environment: Environment = process.env): ApiConfig {
  const problems: string[] = [];
  const config = readApiConfig(environment, problems);
  if (problems.length > 0) throw new ConfigurationError(problems);
  return config;
}
