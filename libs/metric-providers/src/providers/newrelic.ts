import type { NewRelicProvider } from '@flotilla/argo-spec';
import type { MeasureContext } from '../context.js';
import { defineAdapter } from '../define-adapter.js';
import { MeasurementError } from '../errors.js';
import { measured, type MeasuredOutcome } from '../outcome.js';
import { graphqlQuery } from './graphql.js';
import { isRecord, requireSecret } from './provider-requests.js';

const PROVIDER = 'newRelic';
export const NEW_RELIC_DEFAULT_PROFILE = 'newrelic';
const DEFAULT_TIMEOUT_MS = 30_000;
const NERDGRAPH_BY_REGION: Record<string, string> = {
  us: 'https://api.newrelic.com/graphql',
  eu: 'https://api.eu.newrelic.com/graphql',
};

export const NRQL_QUERY = `query($query: Nrql!, $accountId: Int!, $timeout: Seconds!) {
  actor { account(id: $accountId) { nrql(query: $query, timeout: $timeout) { results } } }
}`;
/** NerdGraph's NRQL timeout in seconds when the metric sets none. */
const DEFAULT_NRQL_TIMEOUT_SECONDS = 5;

function nrqlResults(data: unknown): unknown[] {
  const actor = isRecord(data) ? data['actor'] : undefined;
  const account = isRecord(actor) ? actor['account'] : undefined;
  const nrql = isRecord(account) ? account['nrql'] : undefined;
  const results = isRecord(nrql) ? nrql['results'] : undefined;
  return Array.isArray(results) ? results : [];
}

/**
 * One result row is the value itself (an object of the query's fields), several are an array of rows;
 * no row, or an empty one, is an error as in Argo.
 * @example shapeNrqlResults([{ successRate: 0.98 }]) // { value: { successRate: 0.98 }, rawValue: '{"successRate":0.98}' }
 */
export function shapeNrqlResults(results: unknown[]): { value: unknown; rawValue: string } {
  const [only] = results;
  if (results.length === 1 && isRecord(only) && Object.keys(only).length > 0) return { value: only, rawValue: JSON.stringify(only) };
  if (results.length > 1) return { value: results, rawValue: JSON.stringify(results) };
  throw new MeasurementError(PROVIDER, 'no results returned from NRQL query');
}

async function measureNewRelic(provider: NewRelicProvider, context: MeasureContext): Promise<MeasuredOutcome> {
  const timeout = provider.timeout ?? DEFAULT_NRQL_TIMEOUT_SECONDS;
  if (timeout < 0) throw new MeasurementError(PROVIDER, 'timeout value needs to be a positive value');
  const profile = provider.profile || NEW_RELIC_DEFAULT_PROFILE;
  const secret = await requireSecret(context, PROVIDER, profile, ['personal-api-key', 'account-id']);
  const accountId = Number(secret['account-id']);
  if (!Number.isInteger(accountId)) throw new MeasurementError(PROVIDER, `could not parse account ID "${secret['account-id'] ?? ''}"`);
  const region = secret['region'] || 'us';
  const endpoint = secret['base-url-nerdgraph'] || NERDGRAPH_BY_REGION[region];
  if (!endpoint) throw new MeasurementError(PROVIDER, `unknown New Relic region "${region}"`);
  const data = await graphqlQuery(
    PROVIDER,
    context,
    // Leave New Relic room to answer within the query's own timeout.
    Math.max(DEFAULT_TIMEOUT_MS, (timeout + 5) * 1000),
    endpoint,
    { 'API-Key': secret['personal-api-key'] ?? '' },
    NRQL_QUERY,
    { accountId, query: provider.query, timeout },
  );
  const { value, rawValue } = shapeNrqlResults(nrqlResults(data));
  return measured(value, rawValue);
}

/**
 * NRQL through NerdGraph: `POST https://api.newrelic.com/graphql` (or the EU endpoint, or the profile's
 * `base-url-nerdgraph`) with the profile Secret's `personal-api-key` as `API-Key` and its `account-id`; the
 * query may run `timeout` seconds (5 by default) on New Relic's side.
 */
export const newRelicAdapter = defineAdapter('newRelic', measureNewRelic);
