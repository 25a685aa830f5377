import { parseGoDuration, type DatadogProvider } from '@flotilla/argo-spec';
import { measurementTime, type MeasureContext } from '../context.js';
import { defineAdapter } from '../define-adapter.js';
import { MeasurementError } from '../errors.js';
import { goEncodeQuery, goFloat } from '../go-format.js';
import type { HttpResponse } from '../http/http-transport.js';
import { measured, type MeasuredOutcome } from '../outcome.js';
import { isRecord, joinUrl, parseJson, requireSecret, sendRequest } from './provider-requests.js';

const PROVIDER = 'datadog';
export const DATADOG_SECRET = 'datadog';
const DEFAULT_ADDRESS = 'https://api.datadoghq.com';
const DEFAULT_TIMEOUT_MS = 10_000;
/** The CRD defaults Argo relies on when the fields are left out. */
const DEFAULT_INTERVAL = '5m';
const DEFAULT_AGGREGATOR = 'last';

/** Argo's checks of a Datadog metric, which its CRD cannot express. */
export function validateDatadogProvider(provider: DatadogProvider): string | undefined {
  const queries = Object.keys(provider.queries ?? {});
  if (!provider.query && queries.length === 0) return 'Must have either a query or queries. Please review the Analysis Template.';
  if (provider.query && queries.length > 0) return 'Cannot have both a query and queries. Please review the Analysis Template.';
  const apiVersion = provider.apiVersion ?? 'v1';
  if (apiVersion === 'v1' && !provider.query)
    return 'Query is empty. API Version v1 only supports using the query parameter in your Analysis Template.';
  if (provider.formula && queries.length === 0) return 'Formula are only valid when queries are set. Please review the Analysis Template.';
  if (!provider.formula && queries.length > 1) return 'When multiple queries are provided you must include a formula.';
  if (apiVersion === 'v1' && provider.aggregator) return 'Aggregator is not supported in v1. Please review the Analysis Template.';
  if (provider.requestTimeout) {
    const timeoutMs = parseGoDuration(provider.requestTimeout);
    if (timeoutMs === undefined)
      return `Could not parse the request timeout: time: invalid duration "${provider.requestTimeout}". Please review the Analysis Template.`;
    if (timeoutMs <= 0) return 'Request timeout must be a positive duration (e.g. 30s). Please review the Analysis Template.';
  }
  return undefined;
}

/** `requestTimeout` (already validated) in milliseconds, 10 s when left out. */
function requestTimeoutMs(requestTimeout: string | undefined): number {
  return requestTimeout ? (parseGoDuration(requestTimeout) ?? DEFAULT_TIMEOUT_MS) : DEFAULT_TIMEOUT_MS;
}

function checkStatus(response: HttpResponse): void {
  const metadata = { httpStatusCode: String(response.status) };
  if (response.status === 401 || response.status === 403)
    throw new MeasurementError(PROVIDER, `received authentication error response code: ${response.status} ${response.body}`, metadata);
  if (response.status !== 200)
    throw new MeasurementError(PROVIDER, `received non 2xx response code: ${response.status} ${response.body}`, metadata);
}

/**
 * The last point of the first series of a v1 answer, or `null` (and the series as text) when there is no data.
 * @example shapeV1Answer({ series: [{ pointlist: [[1700000000000, 0.2], [1700000060000, 0.1]] }] }) // { value: 0.1, rawValue: '0.1' }
 */
export function shapeV1Answer(answer: unknown): { value: number | null; rawValue: string } {
  const series = isRecord(answer) && Array.isArray(answer['series']) ? answer['series'] : [];
  const first: unknown = series[0];
  const points = isRecord(first) && Array.isArray(first['pointlist']) ? first['pointlist'] : [];
  if (points.length === 0) return { value: null, rawValue: JSON.stringify(series) };
  const last: unknown = points[points.length - 1];
  if (!Array.isArray(last) || last.length !== 2 || typeof last[1] !== 'number')
    throw new MeasurementError(PROVIDER, 'Datapoint does not have 2 values');
  return { value: last[1], rawValue: goFloat(last[1]) };
}

/**
 * The first value of the first number column of a v2 scalar answer, or `null` when there is no data.
 * @example shapeV2Answer({ data: { type: 'scalar_response', attributes: { columns: [{ name: 'a', type: 'number', values: [0.0042] }] } } })
 * // { value: 0.0042, rawValue: '0.0042' }
 */
export function shapeV2Answer(answer: unknown): { value: number | null; rawValue: string } {
  const data = isRecord(answer) ? answer['data'] : undefined;
  if (isRecord(data) && typeof data['errors'] === 'string' && data['errors'] !== '')
    throw new MeasurementError(PROVIDER, `There were errors in your query: ${data['errors']}`);
  const attributes = isRecord(data) && isRecord(data['attributes']) ? data['attributes'] : {};
  const columns = Array.isArray(attributes['columns']) ? attributes['columns'] : [];
  const numberColumns = columns.filter((column): column is Record<string, unknown> => isRecord(column) && column['type'] !== 'group');
  const values = numberColumns[0]?.['values'];
  const first: unknown = Array.isArray(values) ? values[0] : undefined;
  if (typeof first !== 'number') return { value: null, rawValue: JSON.stringify(numberColumns.length === 1 ? (values ?? []) : attributes) };
  return { value: first, rawValue: goFloat(first) };
}

async function measureDatadog(provider: DatadogProvider, context: MeasureContext): Promise<MeasuredOutcome> {
  const invalid = validateDatadogProvider(provider);
  if (invalid) throw new MeasurementError(PROVIDER, invalid);
  const secretRef = provider.secretRef;
  if (secretRef?.namespaced && !secretRef.name) throw new MeasurementError(PROVIDER, 'secret name is required for namespaced credentials');
  const secret = await requireSecret(context, PROVIDER, secretRef?.name || DATADOG_SECRET, ['api-key', 'app-key'], {
    runNamespaceOnly: secretRef?.namespaced === true,
  });
  const timeoutMs = requestTimeoutMs(provider.requestTimeout);
  const intervalMs = parseGoDuration(provider.interval ?? DEFAULT_INTERVAL);
  if (intervalMs === undefined) throw new MeasurementError(PROVIDER, `invalid interval "${provider.interval ?? ''}"`);
  const to = Math.floor(measurementTime(context).getTime() / 1000);
  const from = to - Math.floor(intervalMs / 1000);
  const address = secret['address'] || DEFAULT_ADDRESS;
  const headers = {
    'Content-Type': 'application/json',
    'DD-API-KEY': secret['api-key'] ?? '',
    'DD-APPLICATION-KEY': secret['app-key'] ?? '',
  };
  if ((provider.apiVersion ?? 'v1') === 'v1') {
    const parameters = goEncodeQuery([
      ['from', String(from)],
      ['query', provider.query ?? ''],
      ['to', String(to)],
    ]);
    const response = await sendRequest(context, timeoutMs, {
      method: 'GET',
      url: `${joinUrl(address, 'api/v1/query')}?${parameters}`,
      headers,
    });
    checkStatus(response);
    const { value, rawValue } = shapeV1Answer(parseJson(PROVIDER, response.body));
    return measured(value, rawValue);
  }
  const queries = provider.query ? { query: provider.query } : (provider.queries ?? {});
  const body = {
    data: {
      attributes: {
        from: from * 1000,
        to: to * 1000,
        queries: Object.entries(queries).map(([name, query]) => ({
          aggregator: provider.aggregator ?? DEFAULT_AGGREGATOR,
          data_source: 'metrics',
          name,
          query,
        })),
        formulas: provider.formula ? [{ formula: provider.formula }] : [],
      },
      type: 'scalar_request',
    },
  };
  const response = await sendRequest(context, timeoutMs, {
    method: 'POST',
    url: joinUrl(address, 'api/v2/query/scalar'),
    headers,
    body: JSON.stringify(body),
  });
  checkStatus(response);
  const { value, rawValue } = shapeV2Answer(parseJson(PROVIDER, response.body));
  return measured(value, rawValue);
}

/**
 * Datadog metrics with the `api-key`/`app-key` (and optional `address`) of the `datadog` Secret, or of the
 * Secret `secretRef.name` names (with `namespaced`, in the run's namespace only), within `requestTimeout` (10s).
 * v1: `GET /api/v1/query?from&query&to` and the last point of the first series; v2: `POST
 * /api/v2/query/scalar` with `queries` (or `query`), `formula` and `aggregator`, and the first value of the
 * first number column. No data is the value `null` (conditions such as `default(result, 0) < 0.05` decide).
 */
export const datadogAdapter = defineAdapter('datadog', measureDatadog);
