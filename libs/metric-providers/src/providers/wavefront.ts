import type { WavefrontProvider } from '@flotilla/argo-spec';
import { measurementTime, type MeasureContext } from '../context.js';
import { defineAdapter } from '../define-adapter.js';
import { MeasurementError } from '../errors.js';
import { goEncodeQuery } from '../go-format.js';
import { measured, type MeasuredOutcome } from '../outcome.js';
import { isRecord, joinUrl, parseJson, requireSuccess, sendRequest } from './provider-requests.js';

const PROVIDER = 'wavefront';
export const WAVEFRONT_TOKENS_SECRET = 'wavefront-api-tokens';
const DEFAULT_TIMEOUT_MS = 30_000;

interface ClosestPoint {
  value: number;
  epochSeconds: number;
  driftSeconds: number;
}

/**
 * The data point closest to the measurement time (Wavefront points are `[epoch seconds, value]`).
 * @example closestPoint([[1700000000, 0.5], [1700000058, 0.7]], 1700000060) // { value: 0.7, epochSeconds: 1700000058, driftSeconds: -2 }
 */
export function closestPoint(points: unknown[], atEpochSeconds: number): ClosestPoint {
  let best: ClosestPoint = { value: 0, epochSeconds: 0, driftSeconds: Infinity };
  for (const point of points) {
    if (!Array.isArray(point) || typeof point[0] !== 'number' || typeof point[1] !== 'number') continue;
    const drift = point[0] - atEpochSeconds;
    if (Math.abs(drift) < Math.abs(best.driftSeconds)) best = { value: point[1], epochSeconds: point[0], driftSeconds: drift };
  }
  return best;
}

const twoDecimals = (value: number): string => value.toFixed(2);
const bracketed = (items: string[]): string => `[${items.join(',')}]`;

async function measureWavefront(provider: WavefrontProvider, context: MeasureContext): Promise<MeasuredOutcome> {
  const address = provider.address ?? '';
  const tokens = await context.secrets(WAVEFRONT_TOKENS_SECRET);
  const token = tokens?.[address];
  if (!token) throw new MeasurementError(PROVIDER, 'API token not found');
  const nowSeconds = Math.floor(measurementTime(context).getTime() / 1000);
  // Start and end are the same instant, so series whose points lie outside it must be included.
  const parameters = goEncodeQuery([
    ['q', provider.query],
    ['s', String(nowSeconds * 1000)],
    ['e', String(nowSeconds * 1000)],
    ['g', 's'],
    ['p', '1'],
    ['i', 'true'],
  ]);
  const base = address.includes('://') ? address : `https://${address}`;
  const response = await sendRequest(context, DEFAULT_TIMEOUT_MS, {
    method: 'GET',
    url: `${joinUrl(base, 'api/v2/chart/api')}?${parameters}`,
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
  });
  requireSuccess(PROVIDER, response);
  const answer = parseJson(PROVIDER, response.body);
  const warnings: Record<string, string> =
    isRecord(answer) && typeof answer['warnings'] === 'string' && answer['warnings'] !== '' ? { warnings: answer['warnings'] } : {};
  const series = isRecord(answer) && Array.isArray(answer['timeseries']) ? answer['timeseries'] : [];
  if (series.length === 0) throw new MeasurementError(PROVIDER, 'No TimeSeries found in response from Wavefront', warnings);
  const points = series.map((entry) => closestPoint(isRecord(entry) && Array.isArray(entry['data']) ? entry['data'] : [], nowSeconds));
  const [only] = points;
  if (points.length === 1 && only) {
    return measured(only.value, twoDecimals(only.value), {
      metadata: { ...warnings, timestamps: String(only.epochSeconds), drift: String(only.driftSeconds) },
    });
  }
  return measured(
    points.map((point) => point.value),
    bracketed(points.map((point) => twoDecimals(point.value))),
    {
      metadata: {
        ...warnings,
        timestamps: bracketed(points.map((point) => String(point.epochSeconds))),
        drift: bracketed(points.map((point) => String(point.driftSeconds))),
      },
    },
  );
}

/**
 * `GET https://{address}/api/v2/chart/api?q=…&s=&e=` at the measurement time, with the token the
 * `wavefront-api-tokens` Secret holds under the address. One series is a number (its point closest
 * to the measurement time), several an array of numbers.
 */
export const wavefrontAdapter = defineAdapter('wavefront', measureWavefront);
