import type { JsonObject, PrometheusProvider } from '@flotilla/argo-spec';
import { measurementTime, type MeasureContext } from '../context.js';
import { defineAdapter } from '../define-adapter.js';
import { MeasurementError } from '../errors.js';
import { goEncodeQuery, goFloat } from '../go-format.js';
import { measured, type MeasuredOutcome } from '../outcome.js';
import { isRecord, joinUrl, parseJson, scalarText, sendRequest } from './provider-requests.js';

const PROVIDER = 'prometheus';
/** Argo's default query timeout when `timeout` is not set. */
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * A sample value as Prometheus writes it in JSON (`"0.95"`, `"NaN"`, `"+Inf"`, `"-Inf"`).
 * @example parseSampleValue('+Inf') // Infinity
 */
export function parseSampleValue(text: unknown): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const value = typeof text === 'string' && text.trim() !== '' ? Number(text) : NaN;
  if (Number.isNaN(value)) throw new MeasurementError(PROVIDER, `sample value ${JSON.stringify(text)} is not a number`);
  return value;
}

function sampleValueOf(sample: unknown): number {
  if (!isRecord(sample) || !Array.isArray(sample['value'])) throw new MeasurementError(PROVIDER, 'vector sample without a value');
  return parseSampleValue(sample['value'][1]);
}

function seriesValuesOf(series: unknown): number[] {
  if (!isRecord(series) || !Array.isArray(series['values'])) throw new MeasurementError(PROVIDER, 'matrix series without values');
  return series['values'].map((point: unknown) => parseSampleValue(Array.isArray(point) ? point[1] : undefined));
}

const listText = (values: readonly number[]): string => `[${values.map(goFloat).join(',')}]`;

/**
 * Shapes the `data` of an instant query as Argo does: a scalar is a number, a vector an array of its
 * sample values; a matrix (which Argo refuses) is an array of each series' values.
 * @example shapeQueryData({ resultType: 'vector', result: [{ metric: {}, value: [1700000000, '0.97'] }] })
 * // { value: [0.97], rawValue: '[0.97]' }
 */
export function shapeQueryData(data: unknown): { value: number | number[] | number[][]; rawValue: string } {
  if (!isRecord(data)) throw new MeasurementError(PROVIDER, 'response has no data');
  const result = data['result'];
  switch (data['resultType']) {
    case 'scalar': {
      const value = parseSampleValue(Array.isArray(result) ? result[1] : undefined);
      return { value, rawValue: goFloat(value) };
    }
    case 'vector': {
      const values = (Array.isArray(result) ? result : []).map(sampleValueOf);
      return { value: values, rawValue: listText(values) };
    }
    case 'matrix': {
      const series = (Array.isArray(result) ? result : []).map(seriesValuesOf);
      return { value: series, rawValue: `[${series.map(listText).join(',')}]` };
    }
    default:
      throw new MeasurementError(PROVIDER, `Prometheus metric type not supported: ${String(data['resultType'])}`);
  }
}

function tolerantJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Prometheus' `timeout` parameter: whole seconds as a duration. */
const timeoutParameter = (seconds: number): string => `${seconds}s`;

async function oauth2Token(authentication: JsonObject | undefined, context: MeasureContext): Promise<string | undefined> {
  const oauth2 = authentication?.['oauth2'];
  if (!isRecord(oauth2) || typeof oauth2['tokenUrl'] !== 'string') return undefined;
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (typeof oauth2['clientId'] === 'string') form.set('client_id', oauth2['clientId']);
  if (typeof oauth2['clientSecret'] === 'string') form.set('client_secret', oauth2['clientSecret']);
  const scopes: readonly unknown[] | undefined = Array.isArray(oauth2['scopes']) ? oauth2['scopes'] : undefined;
  if (scopes) form.set('scope', scopes.join(' '));
  const response = await sendRequest(context, DEFAULT_TIMEOUT_MS, {
    method: 'POST',
    url: oauth2['tokenUrl'],
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  const token = response.status === 200 ? parseJson(PROVIDER, response.body) : undefined;
  if (!isRecord(token) || typeof token['access_token'] !== 'string')
    throw new MeasurementError(PROVIDER, `oauth2 token request failed with status ${response.status}`);
  return token['access_token'];
}

async function measurePrometheus(provider: PrometheusProvider, context: MeasureContext): Promise<MeasuredOutcome> {
  if (provider.timeout !== undefined && provider.timeout < 0)
    throw new MeasurementError(PROVIDER, 'prometheus timeout should not be negative');
  if (isRecord(provider.authentication?.['sigv4'])) throw new MeasurementError(PROVIDER, 'sigv4 authentication is not supported');
  let address: URL;
  try {
    address = new URL(provider.address);
  } catch {
    throw new MeasurementError(PROVIDER, 'prometheus address is not in url format');
  }
  const parameters: [string, string][] = [
    ['query', provider.query],
    ['time', String(measurementTime(context).getTime() / 1000)],
  ];
  if (provider.timeout) parameters.push(['timeout', timeoutParameter(provider.timeout)]);
  const headers: Record<string, string> = {};
  const token = await oauth2Token(provider.authentication, context);
  if (token !== undefined) headers['Authorization'] = `Bearer ${token}`;
  for (const header of provider.headers ?? []) headers[header.key] = header.value;
  const response = await sendRequest(context, provider.timeout ? provider.timeout * 1000 : DEFAULT_TIMEOUT_MS, {
    method: 'GET',
    url: `${joinUrl(address.toString(), 'api/v1/query')}?${goEncodeQuery(parameters)}`,
    headers,
    ...(provider.insecure ? { insecure: true } : {}),
  });
  const succeeded = response.status >= 200 && response.status < 300;
  // Prometheus explains failures in a JSON body; a failure without one is reported by its status.
  const body = succeeded ? parseJson(PROVIDER, response.body) : tolerantJson(response.body);
  if (isRecord(body) && body['status'] === 'error') {
    throw new MeasurementError(PROVIDER, `${scalarText(body['errorType'] ?? 'error')}: ${scalarText(body['error'] ?? 'query failed')}`, {
      httpStatusCode: String(response.status),
    });
  }
  if (!succeeded || !isRecord(body)) {
    throw new MeasurementError(PROVIDER, `server returned HTTP status ${response.status}`, { httpStatusCode: String(response.status) });
  }
  const { value, rawValue } = shapeQueryData(body['data']);
  const warnings = Array.isArray(body['warnings']) ? body['warnings'].map((warning) => `"${String(warning)}"`).join(', ') : '';
  return measured(value, rawValue, { metadata: { ResolvedPrometheusQuery: provider.query, ...(warnings ? { warnings } : {}) } });
}

/**
 * Instant queries: `GET {address}/api/v1/query?query=…&time=…[&timeout=Ns]` with the configured headers
 * (and a bearer token when `authentication.oauth2` is set). A vector is an array of numbers, a scalar a
 * number; `status: error` is an error outcome carrying Prometheus' message.
 */
export const prometheusAdapter = defineAdapter('prometheus', measurePrometheus);
