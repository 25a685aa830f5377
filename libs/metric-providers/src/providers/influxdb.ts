import type { InfluxdbProvider } from '@flotilla/argo-spec';
import type { MeasureContext } from '../context.js';
import { defineAdapter } from '../define-adapter.js';
import { MeasurementError } from '../errors.js';
import { goEncodeQuery, goSprint } from '../go-format.js';
import { measured, type MeasuredOutcome } from '../outcome.js';
import { fluxValues } from './annotated-csv.js';
import { isRecord, joinUrl, requireSecret, sendRequest } from './provider-requests.js';

const PROVIDER = 'influxdb';
export const INFLUXDB_DEFAULT_PROFILE = 'influxdb';
const DEFAULT_TIMEOUT_MS = 30_000;

/** The dialect InfluxDB's Go client asks for: annotated CSV with a header row. */
export const FLUX_DIALECT = { annotations: ['datatype', 'group', 'default'], delimiter: ',', header: true };

function errorText(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (isRecord(parsed) && typeof parsed['message'] === 'string') return parsed['message'];
  } catch {
    // not JSON: quote the body as it came
  }
  return body;
}

async function measureInfluxdb(provider: InfluxdbProvider, context: MeasureContext): Promise<MeasuredOutcome> {
  const profile = provider.profile || INFLUXDB_DEFAULT_PROFILE;
  const secret = await requireSecret(context, PROVIDER, profile, ['authToken', 'address', 'org']);
  const response = await sendRequest(context, DEFAULT_TIMEOUT_MS, {
    method: 'POST',
    url: `${joinUrl(secret['address'] ?? '', 'api/v2/query')}?${goEncodeQuery([['org', secret['org'] ?? '']])}`,
    headers: { Authorization: `Token ${secret['authToken'] ?? ''}`, 'Content-Type': 'application/json', Accept: 'text/csv' },
    body: JSON.stringify({ query: provider.query, type: 'flux', dialect: FLUX_DIALECT }),
  });
  if (response.status < 200 || response.status >= 300) {
    throw new MeasurementError(PROVIDER, `${response.status}: ${errorText(response.body)}`, { httpStatusCode: String(response.status) });
  }
  const values = fluxValues(response.body);
  if (values.length === 0) throw new MeasurementError(PROVIDER, 'no results returned from flux query');
  return measured(values, goSprint(values));
}

/**
 * Flux: `POST {address}/api/v2/query?org=…` with `Authorization: Token …` from the profile Secret
 * (`influxdb` by default: `address`, `org`, `authToken`). The value is the array of every record's `_value`.
 */
export const influxdbAdapter = defineAdapter('influxdb', measureInfluxdb);
