import { REDACTED, redactSecrets } from '@flotilla/metric-providers';
import { describe, expect, it } from 'vitest';
import { resolveSecretMarkers, secretReferencesIn } from './secret-markers.js';

const metric = {
  name: 'rate',
  provider: {
    web: {
      url: 'https://metrics.internal/q?key=$(flotilla-secret:api/key)',
      headers: [{ key: 'Authorization', value: 'Bearer $(flotilla-secret:api/token)' }],
      jsonBody: {
        auth: { user: '$(flotilla-secret:basic/user)', password: '$(flotilla-secret:basic/password)' },
        again: '$(flotilla-secret:api/token)',
      },
    },
  },
};

const secrets: Record<string, Record<string, string>> = {
  api: { key: 'K-123', token: 'T-456' },
  basic: { user: 'svc', password: 'P-789' },
};

describe('secret markers in a metric', () => {
  it('lists every referenced Secret key once, wherever it appears', () => {
    expect(secretReferencesIn(metric)).toEqual([
      { name: 'api', key: 'key' },
      { name: 'api', key: 'token' },
      { name: 'basic', key: 'user' },
      { name: 'basic', key: 'password' },
    ]);
  });

  it('replaces markers in URLs, headers and JSON bodies', () => {
    expect(resolveSecretMarkers(metric, ({ name, key }) => secrets[name]?.[key])).toEqual({
      resolved: {
        name: 'rate',
        provider: {
          web: {
            url: 'https://metrics.internal/q?key=K-123',
            headers: [{ key: 'Authorization', value: 'Bearer T-456' }],
            jsonBody: { auth: { user: 'svc', password: 'P-789' }, again: 'T-456' },
          },
        },
      },
    });
  });

  it('names the first key it cannot resolve', () => {
    expect(resolveSecretMarkers(metric, ({ name, key }) => (name === 'basic' && key === 'password' ? undefined : 'value'))).toEqual({
      missing: { name: 'basic', key: 'password' },
    });
  });
});

describe('redactSecrets', () => {
  it.each([
    [
      'an error naming a URL',
      { ok: false, error: 'GET https://m/q?key=K-123 failed' },
      { ok: false, error: `GET https://m/q?key=${REDACTED} failed` },
    ],
    [
      'an echoed value and metadata',
      { ok: true, value: { caller: 'Bearer T-456', n: 4 }, rawValue: 'T-456', metadata: { auth: 'T-456' } },
      { ok: true, value: { caller: `Bearer ${REDACTED}`, n: 4 }, rawValue: REDACTED, metadata: { auth: REDACTED } },
    ],
    [
      'a secret that contains another, the longer first',
      { ok: false, error: 'T-456-extended T-456' },
      { ok: false, error: `${REDACTED} ${REDACTED}` },
    ],
    [
      'values too short to tell from text',
      { ok: true, value: ['eu', 'queue'], rawValue: '["eu","queue"]' },
      { ok: true, value: ['eu', 'queue'], rawValue: '["eu","queue"]' },
    ],
  ])('redacts %s', (_case, outcome, expected) => {
    expect(redactSecrets(outcome, ['T-456', 'K-123', 'T-456-extended', 'eu'])).toEqual(expected);
  });
});
