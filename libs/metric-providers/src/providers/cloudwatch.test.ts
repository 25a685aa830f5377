import type { JsonObject } from '@flotilla/argo-spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXED_NOW, secretsFrom, startFakeBackend, testContext, type FakeBackend } from '../fake-backend.test-support.js';
import { cloudWatchAdapter } from './cloudwatch.js';
import { signV4 } from './sigv4.js';

let backend: FakeBackend;
beforeAll(async () => {
  backend = await startFakeBackend();
});
afterAll(() => backend.close());

const NOW = Math.floor(FIXED_NOW.getTime() / 1000);
const credentials = {
  'access-key-id': 'AKIDEXAMPLE',
  'secret-access-key': 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  region: 'eu-west-1',
};
const context = () => testContext({ secrets: secretsFrom({ cloudwatch: { ...credentials, endpoint: `${backend.url}/` } }) });
const QUERIES: JsonObject[] = [
  { id: 'rate', expression: 'errors / requests', label: 'error rate' },
  {
    id: 'errors',
    returnData: false,
    metricStat: {
      metric: {
        namespace: 'AWS/ApplicationELB',
        metricName: 'HTTPCode_Target_5XX_Count',
        dimensions: [{ name: 'LoadBalancer', value: 'app/checkout/50dc6c495c0c9188' }],
      },
      period: '300',
      stat: 'Sum',
      unit: 'Count',
    },
  },
];

describe('signV4', () => {
  it('matches the get-vanilla case of the AWS Signature Version 4 test suite', () => {
    const headers = signV4(
      { method: 'GET', url: 'https://example.amazonaws.com/', headers: {}, body: '' },
      { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      'us-east-1',
      'service',
      new Date('2015-08-30T12:36:00Z'),
    );
    expect(headers['Authorization']).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
    expect(headers['X-Amz-Date']).toBe('20150830T123600Z');
  });
});

describe('cloudWatchAdapter', () => {
  it('sends a signed GetMetricData request and hands over the results', async () => {
    backend.respond({
      headers: { 'Content-Type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({
        MetricDataResults: [{ Id: 'rate', Label: 'error rate', StatusCode: 'Complete', Timestamps: [NOW - 300], Values: [0.004] }],
        Messages: [],
      }),
    });
    const outcome = await cloudWatchAdapter.measure({ interval: '10m', metricDataQueries: QUERIES }, context());
    expect(outcome).toEqual({
      ok: true,
      value: [
        {
          Id: 'rate',
          Label: 'error rate',
          StatusCode: 'Complete',
          Timestamps: [new Date((NOW - 300) * 1000).toISOString()],
          Values: [0.004],
        },
      ],
      rawValue: '[[0.004]]',
    });
    const request = backend.requests.at(-1);
    expect(request).toMatchObject({
      method: 'POST',
      path: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'GraniteServiceVersion20100801.GetMetricData',
        'x-amz-date': '20240305T090730Z',
      },
    });
    expect(request?.headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20240305\/eu-west-1\/monitoring\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/,
    );
    expect(JSON.parse(request?.body ?? '')).toEqual({
      StartTime: NOW - 600,
      EndTime: NOW,
      MetricDataQueries: [
        { Id: 'rate', Expression: 'errors / requests', Label: 'error rate' },
        {
          Id: 'errors',
          ReturnData: false,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/ApplicationELB',
              MetricName: 'HTTPCode_Target_5XX_Count',
              Dimensions: [{ Name: 'LoadBalancer', Value: 'app/checkout/50dc6c495c0c9188' }],
            },
            Period: 300,
            Stat: 'Sum',
            Unit: 'Count',
          },
        },
      ],
    });
  });

  it('signs so that the backend could verify it', async () => {
    backend.respond({ body: JSON.stringify({ MetricDataResults: [] }) });
    await cloudWatchAdapter.measure({ metricDataQueries: QUERIES }, context());
    const request = backend.requests.at(-1);
    const resigned = signV4(
      {
        method: 'POST',
        url: `${backend.url}/`,
        headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'GraniteServiceVersion20100801.GetMetricData' },
        body: request?.body ?? '',
      },
      { accessKeyId: credentials['access-key-id'], secretAccessKey: credentials['secret-access-key'] },
      'eu-west-1',
      'monitoring',
      FIXED_NOW,
    );
    expect(request?.headers['authorization']).toBe(resigned['Authorization']);
  });

  it.each([
    [
      'an access denial',
      { status: 400, body: JSON.stringify({ __type: 'com.amazonaws.cloudwatch#AccessDenied', message: 'User is not authorized' }) },
      'GetMetricData failed with status 400: AccessDenied: User is not authorized',
    ],
    ['a malformed body', { status: 200, body: '<html>' }, 'could not parse JSON body'],
  ])('turns %s into an error outcome', async (_name, answer, message) => {
    backend.respond(answer);
    const outcome = await cloudWatchAdapter.measure({ metricDataQueries: QUERIES }, context());
    expect(outcome).toMatchObject({ ok: false, error: expect.stringContaining(message) as unknown });
  });
});
