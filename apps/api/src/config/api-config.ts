import { ConfigurationError } from '../common/errors.js';

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
  /** The shortest metric `interval` templates may ask for, to protect metric backends. */
  minimumMetricIntervalSeconds: number;
  /** Prefix of every Redis key and channel, so that several deployments can share one Redis. */
  redisPrefix: string;
  /** Where the dashboard's built files are served from, when present. */
  dashboardDirectory: string | undefined;
  /** Seconds a measurement may take before it is recorded as an Error; agents are told what is left of it. */
  measurementTimeoutSeconds: number;
  /** Seconds from SIGTERM to a forced exit; within them the process closes what it holds. */
  shutdownGraceSeconds: number;
}

export type Environment = Record<string, string | undefined>;

export function integer(environment: Environment, name: string, fallback: number, problems: string[], minimum = 1): number {
  const text = environment[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum) problems.push(`${name} must be an integer of at least ${minimum}, got ${JSON.stringify(text)}`);
  return value;
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
    minimumMetricIntervalSeconds: integer(environment, 'MIN_METRIC_INTERVAL_SECONDS', 5, problems),
    redisPrefix: environment.REDIS_PREFIX || 'flotilla',
    dashboardDirectory: environment.DASHBOARD_DIR || undefined,
    measurementTimeoutSeconds: integer(environment, 'MEASUREMENT_TIMEOUT_SECONDS', 60, problems),
    shutdownGraceSeconds: integer(environment, 'SHUTDOWN_GRACE_SECONDS', 20, problems),
  };
  if (!/^[\w-]+$/.test(config.redisPrefix)) problems.push('REDIS_PREFIX may hold letters, digits, "_" and "-" only');
  return config;
}

/** Reads and validates the configuration once at boot; every problem is reported together. */
export function loadApiConfig(environment: Environment = process.env): ApiConfig {
  const problems: string[] = [];
  const config = readApiConfig(environment, problems);
  if (problems.length > 0) throw new ConfigurationError(problems);
  return config;
}
