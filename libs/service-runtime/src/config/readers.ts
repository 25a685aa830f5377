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
