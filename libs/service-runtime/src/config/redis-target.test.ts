import { describe, expect, it } from 'vitest';
import type { Environment } from './readers.js';
import { readRedisTarget, redisTargetEnvironment, type RedisTarget } from './redis-target.js';

function read(environment: Environment): { target: RedisTarget; problems: string[] } {
  const problems: string[] = [];
  return { target: readRedisTarget(environment, problems), problems };
}

describe('readRedisTarget', () => {
  it('takes a plain server from REDIS_URL, local by default', () => {
    expect(read({})).toEqual({ target: { url: 'redis://127.0.0.1:6379' }, problems: [] });
    expect(read({ REDIS_URL: 'rediss://cache:6380/2' }).target).toEqual({ url: 'rediss://cache:6380/2' });
  });

  it('takes the primary through Sentinel, with the default Sentinel port and IPv6 addresses', () => {
    const { target, problems } = read({
      REDIS_SENTINELS: 'sentinel-a:26380, sentinel-b,[fd00::1]:26381',
      REDIS_SENTINEL_NAME: 'flotilla',
      REDIS_SENTINEL_PASSWORD: 'watch',
      REDIS_PASSWORD: 'store',
    });
    expect(problems).toEqual([]);
    expect(target).toEqual({
      sentinel: {
        sentinels: [
          { host: 'sentinel-a', port: 26380 },
          { host: 'sentinel-b', port: 26379 },
          { host: 'fd00::1', port: 26381 },
        ],
        name: 'flotilla',
        sentinelPassword: 'watch',
        password: 'store',
      },
    });
  });

  it.each([
    [
      { REDIS_URL: 'redis://cache:6379', REDIS_SENTINELS: 'sentinel:26379', REDIS_SENTINEL_NAME: 'flotilla' },
      'REDIS_URL and REDIS_SENTINELS name two different Redis: set REDIS_URL for a plain server or REDIS_SENTINELS for Sentinel',
    ],
    [{ REDIS_SENTINELS: 'sentinel:26379' }, 'REDIS_SENTINEL_NAME must name the primary the sentinels monitor'],
    [{ REDIS_SENTINELS: 'sentinel:port', REDIS_SENTINEL_NAME: 'f' }, 'REDIS_SENTINELS must list host:port entries, got "sentinel:port"'],
    [
      { REDIS_SENTINELS: 'user@sentinel:1', REDIS_SENTINEL_NAME: 'f' },
      'REDIS_SENTINELS must list host:port entries, got "user@sentinel:1"',
    ],
    [{ REDIS_SENTINEL_NAME: 'flotilla' }, 'REDIS_SENTINEL_NAME applies to Redis Sentinel only: set REDIS_SENTINELS too'],
    [{ REDIS_PASSWORD: 'store' }, 'REDIS_PASSWORD applies to Redis Sentinel only: set REDIS_SENTINELS too'],
    [{ REDIS_URL: 'http://cache' }, 'REDIS_URL must use redis: or rediss:, got http:'],
  ])('refuses %j', (environment, problem) => {
    expect(read(environment).problems).toEqual([problem]);
  });

  it.each([
    { REDIS_URL: 'redis://cache:6379/1' },
    { REDIS_SENTINELS: '[fd00::1]:26381,sentinel:1', REDIS_SENTINEL_NAME: 'f', REDIS_PASSWORD: 'p' },
  ])('gives back the settings it was read from: %j', (environment) => {
    const { target } = read(environment);
    expect(redisTargetEnvironment(target)).toEqual(environment);
  });
});
