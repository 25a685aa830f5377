import type { CompletedPhase } from '@flotilla/analysis';
import type { KayentaProvider } from '@flotilla/argo-spec';
import type { MeasureContext } from '../context.js';
import { defineAdapter } from '../define-adapter.js';
import { MeasurementError } from '../errors.js';
import { goEncodeQuery, goQueryEscape } from '../go-format.js';
import { pause } from '../pause.js';
import { measured, type MeasuredOutcome } from '../outcome.js';
import { isRecord, joinUrl, parseJson, scalarText, sendRequest } from './provider-requests.js';

const PROVIDER = 'kayenta';
/** Argo's per-request timeout and the delay before it looks at a running canary again. */
const REQUEST_TIMEOUT_MS = 15_000;
const DEFAULT_POLL_INTERVAL_MS = 15_000;

/**
 * The phase of a judged canary: at least `pass` is Successful, at least `marginal` Inconclusive, below Failed.
 * @example kayentaPhase(85, { pass: 90, marginal: 75 }) // 'Inconclusive'
 */
export function kayentaPhase(score: number, threshold: KayentaProvider['threshold']): CompletedPhase {
  if (score >= threshold.pass) return 'Successful';
  return score >= threshold.marginal ? 'Inconclusive' : 'Failed';
}

async function getJson(context: MeasureContext, url: string): Promise<unknown> {
  const response = await sendRequest(context, REQUEST_TIMEOUT_MS, { method: 'GET', url });
  if (response.status !== 200)
    throw new MeasurementError(PROVIDER, `Invalid Response: status ${response.status}`, { httpStatusCode: String(response.status) });
  return parseJson(PROVIDER, response.body);
}

async function canaryConfigId(provider: KayentaProvider, context: MeasureContext): Promise<string> {
  const query = goEncodeQuery([
    ['application', provider.application],
    ['configurationAccountName', provider.configurationAccountName],
  ]);
  const configs = await getJson(context, `${joinUrl(provider.address, 'canaryConfig')}?${query}`);
  const match: unknown = (Array.isArray(configs) ? configs : []).find(
    (config) => isRecord(config) && config['name'] === provider.canaryConfigName,
  );
  if (!isRecord(match) || typeof match['id'] !== 'string')
    throw new MeasurementError(
      PROVIDER,
      `canary config "${provider.canaryConfigName}" not found for application "${provider.application}"`,
    );
  return match['id'];
}

function scopesPayload(provider: KayentaProvider): Record<string, unknown> {
  return Object.fromEntries(
    provider.scopes.map((scope) => [
      scalarText(scope['name']),
      { controlScope: scope['controlScope'], experimentScope: scope['experimentScope'] },
    ]),
  );
}

async function startCanary(provider: KayentaProvider, context: MeasureContext): Promise<string> {
  const configId = await canaryConfigId(provider, context);
  // In Argo's order, which is not alphabetical.
  const query = (
    [
      ['application', provider.application],
      ['metricsAccountName', provider.metricsAccountName],
      ['configurationAccountName', provider.configurationAccountName],
      ['storageAccountName', provider.storageAccountName],
    ] as const
  )
    .map(([name, value]) => `${name}=${goQueryEscape(value)}`)
    .join('&');
  const response = await sendRequest(context, REQUEST_TIMEOUT_MS, {
    method: 'POST',
    url: `${joinUrl(provider.address, `canary/${encodeURIComponent(configId)}`)}?${query}`,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      scopes: scopesPayload(provider),
      thresholds: { pass: provider.threshold.pass, marginal: provider.threshold.marginal },
    }),
  });
  if (response.status !== 200)
    throw new MeasurementError(PROVIDER, `Invalid Response: status ${response.status}`, { httpStatusCode: String(response.status) });
  const started = parseJson(PROVIDER, response.body);
  const executionId = isRecord(started) ? started['canaryExecutionId'] : undefined;
  if (typeof executionId !== 'string' || executionId === '') throw new MeasurementError(PROVIDER, 'Invalid canaryExecutionId');
  return executionId;
}

/** The score of a finished execution, or `undefined` while it runs. */
function scoreOf(execution: unknown, metadata: Record<string, string>): number | undefined {
  if (!isRecord(execution) || typeof execution['complete'] !== 'boolean')
    throw new MeasurementError(PROVIDER, 'Missing Complete Status', metadata);
  if (!execution['complete']) return undefined;
  const result = execution['result'];
  const judgeResult = isRecord(result) ? result['judgeResult'] : undefined;
  const score = isRecord(judgeResult) && isRecord(judgeResult['score']) ? judgeResult['score']['score'] : undefined;
  if (typeof score !== 'number') throw new MeasurementError(PROVIDER, 'Missing Score', metadata);
  return Math.trunc(score);
}

async function measureKayenta(provider: KayentaProvider, context: MeasureContext): Promise<MeasuredOutcome> {
  const executionId = await startCanary(provider, context);
  const metadata = { canaryExecutionId: executionId };
  const scoreUrl = joinUrl(provider.address, `canary/${encodeURIComponent(executionId)}`);
  for (;;) {
    await pause(context.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, context.signal);
    if (context.signal?.aborted)
      throw new MeasurementError(PROVIDER, `canary execution ${executionId} was still running when the measurement was aborted`, metadata);
    const score = scoreOf(await getJson(context, scoreUrl), metadata);
    if (score !== undefined) return measured(score, String(score), { phase: kayentaPhase(score, provider.threshold), metadata });
  }
}

/**
 * Kayenta canary judgement: looks up the canary config id by name (`GET /canaryConfig`), starts an
 * execution (`POST /canary/{configId}?application&metricsAccountName&configurationAccountName&storageAccountName`
 * with scopes and thresholds), then polls `GET /canary/{executionId}` until it completes. The value is
 * the integer score; the phase comes from the thresholds, not from conditions.
 */
export const kayentaAdapter = defineAdapter('kayenta', measureKayenta);
