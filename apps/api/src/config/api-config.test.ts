import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '@flotilla/service-runtime';
import { loadApiConfig } from './api-config.js';

describe('loadApiConfig', () => {
  it('serves metrics on 127.0.0.1:9464 unless told otherwise', () => {
    expect(loadApiConfig({})).toMatchObject({ host: '127.0.0.1', port: 3000, metricsHost: '127.0.0.1', metricsPort: 9464 });
    expect(loadApiConfig({ METRICS_HOST: '0.0.0.0', METRICS_PORT: '9100' })).toMatchObject({ metricsHost: '0.0.0.0', metricsPort: 9100 });
  });

  it('bounds what may wait unsent to an agent at 8 MiB unless told otherwise', () => {
    expect(loadApiConfig({}).agent.maxBufferedBytes).toBe(8 * 1024 * 1024);
    expect(loadApiConfig({ AGENT_MAX_BUFFERED_BYTES: '65536' }).agent.maxBufferedBytes).toBe(65_536);
    expect(() => loadApiConfig({ AGENT_MAX_BUFFERED_BYTES: '0' })).toThrow(
      new ConfigurationError(['AGENT_MAX_BUFFERED_BYTES must be an integer of at least 1, got "0"']),
    );
  });

  it('caps graphql-ws connections at 20 per token and 50 subscriptions each, rechecking tokens every 30 s, unless told otherwise', () => {
    expect(loadApiConfig({}).subscriptions).toEqual({
      maxConnectionsPerToken: 20,
      maxSubscriptionsPerConnection: 50,
      tokenRecheckMs: 30_000,
    });
    expect(
      loadApiConfig({ SUBSCRIPTION_MAX_CONNECTIONS_PER_TOKEN: '5', SUBSCRIPTION_TOKEN_RECHECK_MS: '1000' }).subscriptions,
    ).toMatchObject({
      maxConnectionsPerToken: 5,
      tokenRecheckMs: 1000,
    });
    expect(() => loadApiConfig({ SUBSCRIPTION_MAX_PER_CONNECTION: '0' })).toThrow(
      new ConfigurationError(['SUBSCRIPTION_MAX_PER_CONNECTION must be an integer of at least 1, got "0"']),
    );
  });

  it('refuses metrics on the public port', () => {
    expect(() => loadApiConfig({ PORT: '8080', METRICS_PORT: '8080' })).toThrow(
      new ConfigurationError(['METRICS_PORT must differ from PORT: both are 8080']),
    );
  });
});
