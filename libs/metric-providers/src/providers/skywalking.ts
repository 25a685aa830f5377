import { parseGoDuration, type SkywalkingProvider } from '@flotilla/argo-spec';
import { measurementTime, type MeasureContext } from '../context.js';
import { defineAdapter } from '../define-adapter.js';
import { MeasurementError } from '../errors.js';
import { measured, type MeasuredOutcome } from '../outcome.js';
import { graphqlQuery } from './graphql.js';
import { joinUrl } from './provider-requests.js';

const PROVIDER = 'skywalking';
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_INTERVAL = '5m';

const pad = (value: number): string => String(value).padStart(2, '0');

/**
 * A time as SkyWalking's minute-step `Duration` wants it (Go layout `2006-01-02 1504`, UTC).
 * @example skywalkingMinute(new Date('2024-03-05T09:07:30Z')) // '2024-03-05 0907'
 */
export function skywalkingMinute(time: Date): string {
  return `${time.getUTCFullYear()}-${pad(time.getUTCMonth() + 1)}-${pad(time.getUTCDate())} ${pad(time.getUTCHours())}${pad(time.getUTCMinutes())}`;
}

async function measureSkywalking(provider: SkywalkingProvider, context: MeasureContext): Promise<MeasuredOutcome> {
  const intervalMs = parseGoDuration(provider.interval || DEFAULT_INTERVAL);
  if (intervalMs === undefined) throw new MeasurementError(PROVIDER, `invalid interval "${provider.interval ?? ''}"`);
  const end = measurementTime(context);
  const duration = { start: skywalkingMinute(new Date(end.getTime() - intervalMs)), end: skywalkingMinute(end), step: 'MINUTE' };
  const data = await graphqlQuery(PROVIDER, context, DEFAULT_TIMEOUT_MS, joinUrl(provider.address, 'graphql'), {}, provider.query, {
    duration,
  });
  if (data === null || data === undefined) throw new MeasurementError(PROVIDER, 'no results returned from SkyWalking query');
  return measured(data, JSON.stringify(data));
}

/**
 * A GraphQL query to `{address}/graphql` with the variable `duration` covering the last `interval`
 * (5m by default) at minute step. The value is the answer's `data`.
 */
export const skywalkingAdapter = defineAdapter('skywalking', measureSkywalking);
