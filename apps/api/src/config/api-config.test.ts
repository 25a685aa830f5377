import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '@flotilla/service-runtime';
import { loadApiConfig } from './api-config.js';

describe('loadApiConfig', () => {
  it('serves metrics on 127.0.0.1:9464 unless told otherwise', () => {
    expect(loadApiConfig({})).toMatchObject({ host: '127.0.0.1', port: 3000, metricsHost: '127.0.0.1', metricsPort: 9464 });
    expect(loadApiConfig({ METRICS_HOST: '0.0.0.0', METRICS_PORT: '9100' })).toMatchObject({ metricsHost: '0.0.0.0', metricsPort: 9100 });
  });

  it('refuses metrics on the public port', () => {
    expect(() => loadApiConfig({ PORT: '8080', METRICS_PORT: '8080' })).toThrow(
      new ConfigurationError(['METRICS_PORT must differ from PORT: both are 8080']),
    );
  });
});
