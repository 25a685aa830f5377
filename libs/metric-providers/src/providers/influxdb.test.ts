import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretsFrom, startFakeBackend, testContext, type FakeBackend } from '../fake-backend.test-support.js';
import { fluxValues } from './annotated-csv.js';
import { FLUX_DIALECT, influxdbAdapter } from './influxdb.js';

let backend: FakeBackend;
beforeAll(async () => {
  backend = await startFakeBackend();
});
afterAll(() => backend.close());

// An annotated CSV answer as InfluxDB's /api/v2/query documentation shows it, two tables.
const ANSWER = [
  '#group,false,false,true,true,false,false,true,true',
  '#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string',
  '#default,_result,,,,,,,',
  ',result,table,_start,_stop,_time,_value,_field,_measurement',
  ',,0,2024-03-05T09:02:30Z,2024-03-05T09:07:30Z,2024-03-05T09:07:00Z,0.97,success_rate,http',
  ',,1,2024-03-05T09:02:30Z,2024-03-05T09:07:30Z,2024-03-05T09:07:00Z,0.5,success_rate,http',
  '',
  '#datatype,string,long,string',
  '#group,false,false,false',
  '#default,_result,,',
  ',result,table,_value',
  ',,2,"up, ""mostly"""',
  '',
].join('\r\n');

const context = () =>
  testContext({ secrets: secretsFrom({ 'influx-prod': { address: backend.url, org: 'acme corp', authToken: 'influx-token' } }) });
const QUERY = 'from(bucket: "http") |> range(start: -5m) |> filter(fn: (r) => r._field == "success_rate") |> last()';

describe('fluxValues', () => {
  it('reads every record value with its type', () => {
    expect(fluxValues(ANSWER)).toEqual([0.97, 0.5, 'up, "mostly"']);
  });
});

describe('influxdbAdapter', () => {
  it('posts the Flux query with org and token', async () => {
    backend.respond({ body: ANSWER, headers: { 'Content-Type': 'text/csv; charset=utf-8' } });
    const outcome = await influxdbAdapter.measure({ profile: 'influx-prod', query: QUERY }, context());
    expect(outcome).toEqual({ ok: true, value: [0.97, 0.5, 'up, "mostly"'], rawValue: '[0.97 0.5 up, "mostly"]' });
    const request = backend.requests.at(-1);
    expect(request).toMatchObject({
      method: 'POST',
      path: '/api/v2/query',
      query: 'org=acme+corp',
      headers: { authorization: 'Token influx-token', 'content-type': 'application/json' },
    });
    expect(JSON.parse(request?.body ?? '')).toEqual({ query: QUERY, type: 'flux', dialect: FLUX_DIALECT });
  });

  it.each([
    ['no records', { body: '' }, 'no results returned from flux query'],
    [
      'a 400',
      {
        status: 400,
        body: JSON.stringify({ code: 'invalid', message: 'compilation failed: error at @1:1-1:5: undefined identifier fron' }),
      },
      '400: compilation failed',
    ],
    ['a 401', { status: 401, body: JSON.stringify({ code: 'unauthorized', message: 'unauthorized access' }) }, '401: unauthorized access'],
  ])('turns %s into an error outcome', async (_name, answer, message) => {
    backend.respond(answer);
    const outcome = await influxdbAdapter.measure({ profile: 'influx-prod', query: QUERY }, context());
    expect(outcome).toMatchObject({ ok: false, error: expect.stringContaining(message) as unknown });
  });
});
