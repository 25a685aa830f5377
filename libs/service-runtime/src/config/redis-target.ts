import { url, type Environment } from './readers.js';

export interface RedisAddress {
  host: string;
  port: number;
}

/** A primary found through Redis Sentinel, which follows it across failovers. */
export interface RedisSentinelTarget {
  sentinels: RedisAddress[];
  /** The name the sentinels monitor the primary under (`sentinel monitor <name> …`). */
  name: string;
  sentinelPassword?: string;
  /** The password of the primary and its replicas. */
  password?: string;
}

/** The one Redis every connection of a process goes to: a plain server by URL, or a primary through Sentinel. */
export type RedisTarget = { url: string } | { sentinel: RedisSentinelTarget };

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const DEFAULT_SENTINEL_PORT = 26_379;

/** `host:port` (IPv6 as `[::1]:26379`); the port defaults to Sentinel's. */
function sentinelAddress(entry: string, problems: string[]): RedisAddress {
  try {
    const parsed = new URL(`redis://${entry}`);
    if (parsed.hostname === '' || parsed.pathname !== '' || parsed.username !== '') throw new Error('not host:port');
    return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(parsed.port || DEFAULT_SENTINEL_PORT) };
  } catch {
    problems.push(`REDIS_SENTINELS must list host:port entries, got ${JSON.stringify(entry)}`);
    return { host: entry, port: DEFAULT_SENTINEL_PORT };
  }
}

/**
 * REDIS_URL names a plain server; REDIS_SENTINELS (with REDIS_SENTINEL_NAME) names a primary behind Sentinel. Naming
 * both is refused, and so are the Sentinel settings without REDIS_SENTINELS, which would otherwise go unused.
 */
export function readRedisTarget(environment: Environment, problems: string[]): RedisTarget {
  const sentinels = (environment.REDIS_SENTINELS ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const sentinelOnly = ['REDIS_SENTINEL_NAME', 'REDIS_SENTINEL_PASSWORD', 'REDIS_PASSWORD'].filter((name) => environment[name]);
  if (sentinels.length === 0) {
    for (const name of sentinelOnly) problems.push(`${name} applies to Redis Sentinel only: set REDIS_SENTINELS too`);
    return { url: url(environment, 'REDIS_URL', DEFAULT_REDIS_URL, ['redis:', 'rediss:'], problems) };
  }
  if (environment.REDIS_URL)
    problems.push(
      'REDIS_URL and REDIS_SENTINELS name two different Redis: set REDIS_URL for a plain server or REDIS_SENTINELS for Sentinel',
    );
  const name = environment.REDIS_SENTINEL_NAME ?? '';
  if (name === '') problems.push('REDIS_SENTINEL_NAME must name the primary the sentinels monitor');
  return {
    sentinel: {
      sentinels: sentinels.map((entry) => sentinelAddress(entry, problems)),
      name,
      ...(environment.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: environment.REDIS_SENTINEL_PASSWORD } : {}),
      ...(environment.REDIS_PASSWORD ? { password: environment.REDIS_PASSWORD } : {}),
    },
  };
}

/** The settings that name `target`, for a process started with the same Redis as this one. */
export function redisTargetEnvironment(target: RedisTarget): Record<string, string> {
  if ('url' in target) return { REDIS_URL: target.url };
  const { sentinels, name, sentinelPassword, password } = target.sentinel;
  return {
    REDIS_SENTINELS: sentinels.map(({ host, port }) => `${host.includes(':') ? `[${host}]` : host}:${port}`).join(','),
    REDIS_SENTINEL_NAME: name,
    ...(sentinelPassword ? { REDIS_SENTINEL_PASSWORD: sentinelPassword } : {}),
    ...(password ? { REDIS_PASSWORD: password } : {}),
  };
}
