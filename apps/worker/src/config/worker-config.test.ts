import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '@flotilla/service-runtime';
import { loadWorkerConfig } from './worker-config.js';

describe('loadWorkerConfig', () => {
  it('takes its defaults from an empty environment', () => {
    expect(loadWorkerConfig({})).toMatchObject({
      concurrency: 64,
      fleetConcurrency: 4,
      sweepIntervalMs: 10_000,
      healthHost: '127.0.0.1',
      healthPort: 3001,
      metricsHost: '127.0.0.1',
      metricsPort: 9465,
      shutdownGraceSeconds: 20,
      centralMeasurementAllow: [],
    });
  });

  it('reads port 0 as any free port and lists central networks', () => {
    expect(loadWorkerConfig({ WORKER_HEALTH_PORT: '0', CENTRAL_MEASUREMENT_ALLOW: '10.0.0.0/8, 127.0.0.1/32' })).toMatchObject({
      healthPort: 0,
      centralMeasurementAllow: ['10.0.0.0/8', '127.0.0.1/32'],
    });
  });

  it('claims a notification for longer than its attempt may take, and refuses a shorter claim', () => {
    expect(loadWorkerConfig({})).toMatchObject({ notificationTimeoutMs: 10_000, notificationClaimMs: 40_000 });
    expect(loadWorkerConfig({ NOTIFICATION_TIMEOUT_MS: '30000' })).toMatchObject({ notificationClaimMs: 80_000 });
    expect(loadWorkerConfig({ NOTIFICATION_CLAIM_MS: '90000' })).toMatchObject({ notificationClaimMs: 90_000 });
    expect(() => loadWorkerConfig({ NOTIFICATION_TIMEOUT_MS: '30000', NOTIFICATION_CLAIM_MS: '60000' })).toThrow(
      new ConfigurationError([
        'NOTIFICATION_CLAIM_MS must be at least 80000 (2 requests of NOTIFICATION_TIMEOUT_MS 30000 and 20000 ms to record the outcome), got 60000',
      ]),
    );
  });

  it('refuses metrics on the health port', () => {
    expect(() => loadWorkerConfig({ WORKER_HEALTH_PORT: '9100', METRICS_PORT: '9100' })).toThrow(
      new ConfigurationError(['METRICS_PORT must differ from WORKER_HEALTH_PORT: both are 9100']),
    );
  });

  it('reports every problem of the shared settings and its own at once', () => {
    let error: unknown;
    try {
      loadWorkerConfig({ REDIS_URL: 'http://x', WORKER_CONCURRENCY: '0', WORKER_HEALTH_PORT: '70000', SHUTDOWN_GRACE_SECONDS: '-1' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems).toEqual([
      'REDIS_URL must use redis: or rediss:, got http:',
      'SHUTDOWN_GRACE_SECONDS must be an integer of at least 1, got "-1"',
      'WORKER_CONCURRENCY must be an integer of at least 1, got "0"',
      'WORKER_HEALTH_PORT must be a port number, got 70000',
    ]);
  });
});
