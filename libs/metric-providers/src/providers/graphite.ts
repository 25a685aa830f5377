import type { GraphiteProvider } from '@flotilla/argo-spec';
import type { MeasureContext } from '../context.js';
import { defineAdapter } from '../define-adapter.js';
import { MeasurementError } from '../errors.js';
import { goEncodeQuery } from '../go-format.js';
import { measured, type MeasuredOutcome } from '../outcome.js';
import { isRecord, joinUrl, parseJson, sendRequest } from './provider-requests.js';

const PROVIDER = 'graphite';
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The render URL Argo builds: whitespace removed from the query (which holds `target=…&from=…`), `format=json`
 * added, parameters sorted by name as Go encodes them.
 * @example graphiteRenderUrl('http://graphite', 'target=sum(a.b)&from=-5min')
 * // 'http://graphite/render?format=json&from=-5min&target=sum%28a.b%29'
 */
export function graphiteRenderUrl(address: string, query: string): string {
  const parameters = new URLSearchParams(query.replace(/\s+/g, ''));
  parameters.set('format', 'json');
  return `${joinUrl(address, 'render')}?${goEncodeQuery(parameters)}`;
}

function pointValue(point: unknown): number | undefined {
  const raw: unknown = Array.isArray(point) ? point[0] : undefined;
  if (raw === null || raw === undefined) return undefined;
  const value = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof value !== 'number' || Number.isNaN(value))
    throw new MeasurementError(PROVIDER, `error unmarshaling data point: ${JSON.stringify(point)}`);
  return value;
}

/**
 * The non-null values of the first target's datapoints, as numbers.
 * @example graphiteValues([{ target: 'errors', datapoints: [[1.5, 1700000000], [null, 1700000060]] }]) // [1.5]
 */
export function graphiteValues(answer: unknown): number[] {
  const first: unknown = Array.isArray(answer) ? answer[0] : undefined;
  const points = isRecord(first) && Array.isArray(first['datapoints']) ? first['datapoints'] : [];
  return points.map(pointValue).filter((value): value is number => value !== undefined);
}

async function measureGraphite(provider: GraphiteProvider, context: MeasureContext): Promise<MeasuredOutcome> {
  if (!provider.address) throw new MeasurementError(PROVIDER, 'Graphite address is not a valid URL');
  const response = await sendRequest(context, DEFAULT_TIMEOUT_MS, {
    method: 'GET',
    url: graphiteRenderUrl(provider.address, provider.query),
  });
  if (response.status >= 400)
    throw new MeasurementError(PROVIDER, `error response: ${response.body}`, { httpStatusCode: String(response.status) });
  const answer = parseJson(PROVIDER, response.body);
  const first: unknown = Array.isArray(answer) ? answer[0] : undefined;
  const datapoints = isRecord(first) && Array.isArray(first['datapoints']) ? first['datapoints'] : [];
  if (datapoints.length === 0) throw new MeasurementError(PROVIDER, 'no values found');
  const values = graphiteValues(answer);
  return measured(values, `[${values.map((value) => value.toFixed(6)).join(',')}]`);
}

/**
 * `GET {address}/render?{query}&format=json`. The value is the array of the first target's non-null
 * values; an answer without datapoints is an error, as in Argo.
 */
export const graphiteAdapter = defineAdapter('graphite', measureGraphite);
