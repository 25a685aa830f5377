import { ConfigurationError } from '../errors.js';

export type Environment = Record<string, string | undefined>;

/** Reads one process's settings, adding what is wrong with them to `problems` instead of stopping at the first. */
export type SettingsReader<T> = (environment: Environment, problems: string[]) => T;

/** Reads and validates settings once at boot; every problem is reported together. */
export function loadSettings<T>(read: SettingsReader<T>, environment: Environment = process.env): T {
  const problems: string[] = [];
  const settings = read(environment, problems);
  if (problems.length > 0) throw new ConfigurationError(problems);
  return settings;
}

export function integer(environment: Environment, name: string, fallback: number, problems: string[], minimum = 1): number {
  const text = environment[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum)
    problems.push(`${name} must be an integer of at least ${minimum}, got ${JSON.stringify(text)}`);
  return value;
}

export function port(environment: Environment, name: string, fallback: number, problems: string[]): number {
  const value = integer(environment, name, fallback, problems, 0);
  if (value > 65_535) problems.push(`${name} must be a port number, got ${value}`);
  return value;
}

export function flag(environment: Environment, name: string, problems: string[]): boolean {
  const text = environment[name];
  if (text === undefined || text === '' || text === 'false') return false;
  if (text !== 'true') problems.push(`${name} must be true or false, got ${JSON.stringify(text)}`);
  return text === 'true';
}

/** A comma-separated list; blanks are dropped. */
export function list(environment: Environment, name: string): string[] {
  return (environment[name] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

export function url(environment: Environment, name: string, fallback: string, protocols: string[], problems: string[]): string {
  const text = environment[name] || fallback;
  try {
    const parsed = new URL(text);
    if (!protocols.includes(parsed.protocol)) problems.push(`${name} must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
  } catch {
    problems.push(`${name} is not a URL`);
  }
  return text;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function logLevel(environment: Environment, problems: string[]): string {
  const level = environment.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(level)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  return level;
}

/** The settings every control-plane process (the API, the worker, the tools beside them) reads the same way. */
export interface ControlPlaneSettings {
  databaseUrl: string;
  redisUrl: string;
  logLevel: string;
  /** Prefix of every Redis key and channel, so that several deployments can share one Redis. */
  redisPrefix: string;
  /** Seconds a measurement may take before it is recorded as an Error; agents are told what is left of it. */
  measurementTimeoutSeconds: number;
  /** PEM PKCS#8 Ed25519 private key that signs audit checkpoints; none turns checkpoints off. */
  auditSigningKeyFile: string | undefined;
  /** The worker signs a checkpoint of an organization's audit chain when its head moved and the last one is this old. */
  auditCheckpointIntervalSeconds: number;
  /** Seconds from SIGTERM to a forced exit; within them the process closes what it holds. */
  shutdownGraceSeconds: number;
}

export const readControlPlaneSettings: SettingsReader<ControlPlaneSettings> = (environment, problems) => {
  const settings: ControlPlaneSettings = {
    databaseUrl: url(environment, 'DATABASE_URL', 'postgresql://postgres@127.0.0.1:5432/flotilla', ['postgresql:', 'postgres:'], problems),
    redisUrl: url(environment, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:'], problems),
    logLevel: logLevel(environment, problems),
    redisPrefix: environment.REDIS_PREFIX || 'flotilla',
    measurementTimeoutSeconds: integer(environment, 'MEASUREMENT_TIMEOUT_SECONDS', 60, problems),
    auditSigningKeyFile: environment.AUDIT_SIGNING_KEY_FILE || undefined,
    auditCheckpointIntervalSeconds: integer(environment, 'AUDIT_CHECKPOINT_INTERVAL_SECONDS', 3600, problems),
    shutdownGraceSeconds: integer(environment, 'SHUTDOWN_GRACE_SECONDS', 20, problems),
  };
  if (!/^[\w-]+$/.test(settings.redisPrefix)) problems.push('REDIS_PREFIX may hold letters, digits, "_" and "-" only');
  return settings;
};
