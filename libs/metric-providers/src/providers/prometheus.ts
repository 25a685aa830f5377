import { evaluateTimeExpression } from '@flotilla/analysis';
import { parseGoDuration, type PrometheusOAuth2, type PrometheusProvider, type PrometheusSigV4 } from '@flotilla/argo-spec';
import { measurementTime, type MeasureContext } from '../context.js';
import { defineAdapter } from '../define-adapter.js';
import { MeasurementError } from '../errors.js';
import { goEncodeQuery, goFloat } from '../go-format.js';
import { measured, type MeasuredOutcome } from '../outcome.js';
import { AWS_CREDENTIALS_SECRET, readAwsCredentials } from './aws-credentials.js';
import { isRecord, joinUrl, parseJson, scalarText, sendRequest } from './provider-requests.js';
import { signV4 } from './sigv4.js';

const PROVIDER = 'prometheus';
/** Argo's default query timeout when `timeout` is not set. */
const DEFAULT_TIMEOUT_MS = 30_000;
/** The signing name of Amazon Managed Service for Prometheus. */
const SIGV4_SERVICE = 'aps';

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
 * Shapes the `data` of a query as Argo does: a scalar is a number, a vector an array of its sample values,
 * a matrix (a range query's answer) one array of every series' values, series after series.
 * @example shapeQueryData({ resultType: 'vector', result: [{ metric: {}, value: [1700000000, '0.97'] }] })
 * // { value: [0.97], rawValue: '[0.97]' }
 */
export function shapeQueryData(data: unknown): { value: number | number[]; rawValue: string } {
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
      const values = (Array.isArray(result) ? result : []).flatMap(seriesValuesOf);
      return { value: values, rawValue: listText(values) };
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

async function oauth2Token(oauth2: PrometheusOAuth2 | undefined, context: MeasureContext): Promise<string | undefined> {
  if (!oauth2?.tokenUrl) return undefined;
  if (!oauth2.clientId || !oauth2.clientSecret)
    throw new MeasurementError(PROVIDER, 'missing mandatory parameter in metric for OAuth2 setup');
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: oauth2.clientId, client_secret: oauth2.clientSecret });
  if (oauth2.scopes) form.set('scope', oauth2.scopes.join(' '));
  const response = await sendRequest(context, DEFAULT_TIMEOUT_MS, {
    method: 'POST',
    url: oauth2.tokenUrl,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  const token = response.status === 200 ? parseJson(PROVIDER, response.body) : undefined;
  if (!isRecord(token) || typeof token['access_token'] !== 'string')
    throw new MeasurementError(PROVIDER, `oauth2 token request failed with status ${response.status}`);
  return token['access_token'];
}

function evaluateRangeTime(field: 'start' | 'end', text: string | undefined, now: Date): string {
  const evaluated = evaluateTimeExpression(text ?? '', now);
  if (!evaluated.ok) throw new MeasurementError(PROVIDER, `failed to parse rangeQuery.${field} as time: ${evaluated.error}`);
  return String(evaluated.time.getTime() / 1000);
}

/** The endpoint and parameters of an instant query at the measurement time, or of the configured range query. */
function queryOf(provider: PrometheusProvider, now: Date): { path: string; parameters: [string, string][] } {
  const range = provider.rangeQuery;
  if (range === undefined) {
    return {
      path: 'api/v1/query',
      parameters: [
        ['query', provider.query],
        ['time', String(now.getTime() / 1000)],
      ],
    };
  }
  const start = evaluateRangeTime('start', range.start, now);
  const end = evaluateRangeTime('end', range.end, now);
  const stepMs = parseGoDuration(range.step ?? '');
  if (stepMs === undefined)
    throw new MeasurementError(PROVIDER, `failed to parse rangeQuery.step as duration: time: invalid duration "${range.step ?? ''}"`);
  const parameters: [string, string][] = [
    ['query', provider.query],
    ['start', start],
    ['end', end],
    ['step', String(stepMs / 1000)],
  ];
  return { path: 'api/v1/query_range', parameters };
}

/** Argo signs only when some `sigv4` field is set; an empty `sigv4` is no authentication. */
function sigV4Of(provider: PrometheusProvider): PrometheusSigV4 | undefined {
  const sigv4 = provider.authentication?.sigv4;
  return sigv4 && (sigv4.region || sigv4.profile || sigv4.roleArn) ? sigv4 : undefined;
}

/** The request's headers signed for Amazon Managed Prometheus (service `aps`) with the credentials Secret `profile` names. */
async function signForManagedPrometheus(
  sigv4: PrometheusSigV4,
  request: { method: string; url: string; headers: Record<string, string> },
  context: MeasureContext,
): Promise<Record<string, string>> {
  if (sigv4.roleArn) throw new MeasurementError(PROVIDER, 'sigv4 roleArn is not supported');
  const { credentials, region } = await readAwsCredentials(context, PROVIDER, sigv4.profile || AWS_CREDENTIALS_SECRET);
  const signingRegion = sigv4.region || region;
  if (!signingRegion) throw new MeasurementError(PROVIDER, 'region not configured in sigv4 or in the credentials Secret');
  return signV4({ ...request, body: '' }, credentials, signingRegion, SIGV4_SERVICE, measurementTime(context));
}

async function measurePrometheus(provider: PrometheusProvider, context: MeasureContext): Promise<MeasuredOutcome> {
  if (provider.timeout !== undefined && provider.timeout < 0)
    throw new MeasurementError(PROVIDER, 'prometheus timeout should not be negative');
  let address: URL;
  try {
    address = new URL(provider.address);
  } catch {
    throw new MeasurementError(PROVIDER, 'prometheus address is not in url format');
  }
  const { path, parameters } = queryOf(provider, measurementTime(context));
  if (provider.timeout) parameters.push(['timeout', timeoutParameter(provider.timeout)]);
  const url = `${joinUrl(address.toString(), path)}?${goEncodeQuery(parameters)}`;
  let headers: Record<string, string> = {};
  const token = await oauth2Token(provider.authentication?.oauth2, context);
  if (token !== undefined) headers['Authorization'] = `Bearer ${token}`;
  const sigv4 = sigV4Of(provider);
  // The signature replaces a bearer token; the configured headers are added after signing, unsigned, as Argo does.
  if (sigv4) headers = await signForManagedPrometheus(sigv4, { method: 'GET', url, headers: {} }, context);
  for (const header of provider.headers ?? []) headers[header.key] = header.value;
  const response = await sendRequest(context, provider.timeout ? provider.timeout * 1000 : DEFAULT_TIMEOUT_MS, {
    method: 'GET',
    url,
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
 * Instant queries, `GET {address}/api/v1/query?query=…&time=…[&timeout=Ns]`, or with `rangeQuery`
 * `GET {address}/api/v1/query_range?end=…&query=…&start=…&step=…`, with the configured headers, a bearer token
 * when `authentication.oauth2` is set, or a SigV4 signature (service `aps`) when `authentication.sigv4` is.
 * A vector or matrix is an array of numbers, a scalar a number; `status: error` is an error outcome carrying
 * Prometheus' message.
 */
export const prometheusAdapter = defineAdapter('prometheus', measurePrometheus);
