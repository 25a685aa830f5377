import { parseGoDuration, type CloudWatchProvider, type JsonObject } from '@flotilla/argo-spec';
import { measurementTime, type MeasureContext } from '../context.js';
import { defineAdapter } from '../define-adapter.js';
import { MeasurementError } from '../errors.js';
import { goSprint } from '../go-format.js';
import { measured, type MeasuredOutcome } from '../outcome.js';
import { AWS_CREDENTIALS_SECRET, readAwsCredentials } from './aws-credentials.js';
import { isRecord, parseJson, scalarText, sendRequest } from './provider-requests.js';
import { signV4 } from './sigv4.js';

const PROVIDER = 'cloudWatch';
/** Our Secret with AWS credentials: `access-key-id`, `secret-access-key`, optional `session-token`, `region`, `endpoint`. */
export const CLOUDWATCH_SECRET = AWS_CREDENTIALS_SECRET;
const DEFAULT_INTERVAL = '5m';
const DEFAULT_REGION = 'us-east-1';
const DEFAULT_TIMEOUT_MS = 30_000;
const TARGET = 'GraniteServiceVersion20100801.GetMetricData';

/** Argo's query fields in the API's own capitalisation; `period` may be a string, the API wants a number. */
export function toMetricDataQuery(query: JsonObject): JsonObject {
  const metricStat = isRecord(query['metricStat']) ? query['metricStat'] : undefined;
  const metric = metricStat && isRecord(metricStat['metric']) ? metricStat['metric'] : undefined;
  const dimensions = Array.isArray(metric?.['dimensions']) ? metric['dimensions'] : undefined;
  const defined = (entries: [string, JsonObject[string] | undefined][]): JsonObject =>
    Object.fromEntries(entries.filter((entry): entry is [string, JsonObject[string]] => entry[1] !== undefined && entry[1] !== null));
  return defined([
    ['Id', query['id']],
    ['Expression', query['expression']],
    ['Label', query['label']],
    ['Period', query['period'] === undefined ? undefined : Number(query['period'])],
    ['ReturnData', query['returnData']],
    [
      'MetricStat',
      metricStat &&
        defined([
          [
            'Metric',
            metric &&
              defined([
                ['Namespace', metric['namespace']],
                ['MetricName', metric['metricName']],
                [
                  'Dimensions',
                  dimensions?.map((dimension): JsonObject =>
                    isRecord(dimension) ? { Name: scalarText(dimension['name']), Value: scalarText(dimension['value']) } : {},
                  ),
                ],
              ]),
          ],
          ['Period', metricStat['period'] === undefined ? undefined : Number(metricStat['period'])],
          ['Stat', metricStat['stat']],
          ['Unit', metricStat['unit']],
        ]),
    ],
  ]);
}

interface MetricDataResult {
  Id: string;
  Label: string;
  StatusCode: string;
  Timestamps: string[];
  Values: number[];
}

function toResult(entry: unknown): MetricDataResult {
  const record = isRecord(entry) ? entry : {};
  const numbers = (value: unknown): number[] =>
    Array.isArray(value) ? value.filter((item): item is number => typeof item === 'number') : [];
  return {
    Id: scalarText(record['Id'] ?? ''),
    Label: scalarText(record['Label'] ?? ''),
    StatusCode: scalarText(record['StatusCode'] ?? ''),
    Timestamps: numbers(record['Timestamps']).map((seconds) => new Date(seconds * 1000).toISOString()),
    Values: numbers(record['Values']),
  };
}

async function measureCloudWatch(provider: CloudWatchProvider, context: MeasureContext): Promise<MeasuredOutcome> {
  const { credentials, region: secretRegion, secret } = await readAwsCredentials(context, PROVIDER, CLOUDWATCH_SECRET);
  const intervalMs = parseGoDuration(provider.interval || DEFAULT_INTERVAL);
  if (intervalMs === undefined) throw new MeasurementError(PROVIDER, `invalid interval "${provider.interval ?? ''}"`);
  const region = secretRegion ?? DEFAULT_REGION;
  const endpoint = secret['endpoint'] || `https://monitoring.${region}.amazonaws.com/`;
  const end = measurementTime(context);
  const body = JSON.stringify({
    StartTime: Math.floor((end.getTime() - intervalMs) / 1000),
    EndTime: Math.floor(end.getTime() / 1000),
    MetricDataQueries: provider.metricDataQueries.map(toMetricDataQuery),
  });
  const headers = signV4(
    { method: 'POST', url: endpoint, headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': TARGET }, body },
    credentials,
    region,
    'monitoring',
    end,
  );
  const response = await sendRequest(context, DEFAULT_TIMEOUT_MS, { method: 'POST', url: endpoint, headers, body });
  const answer = parseJson(PROVIDER, response.body);
  if (response.status < 200 || response.status >= 300) {
    const type = isRecord(answer)
      ? scalarText(answer['__type'] ?? '')
          .split('#')
          .pop()
      : '';
    const message = isRecord(answer) ? scalarText(answer['message'] ?? answer['Message'] ?? '') : '';
    throw new MeasurementError(PROVIDER, `GetMetricData failed with status ${response.status}: ${type}: ${message}`, {
      httpStatusCode: String(response.status),
    });
  }
  const results = (isRecord(answer) && Array.isArray(answer['MetricDataResults']) ? answer['MetricDataResults'] : []).map(toResult);
  const messages =
    isRecord(answer) && Array.isArray(answer['Messages']) && answer['Messages'].length > 0
      ? { messages: JSON.stringify(answer['Messages']) }
      : undefined;
  return measured(results, goSprint(results.map((result) => result.Values)), messages ? { metadata: messages } : {});
}

/**
 * GetMetricData over the AWS JSON 1.0 protocol, signed with SigV4 from the `cloudwatch` Secret, for the
 * window `interval` (5m by default) ending at the measurement time. The value is the array of
 * `{ Id, Label, StatusCode, Timestamps, Values }` results, as Argo hands conditions the SDK's results.
 */
export const cloudWatchAdapter = defineAdapter('cloudWatch', measureCloudWatch);
