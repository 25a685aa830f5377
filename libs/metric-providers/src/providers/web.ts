import type { WebProvider } from '@flotilla/argo-spec';
import type { MeasureContext } from '../context.js';
import { defineAdapter } from '../define-adapter.js';
import { MeasurementError } from '../errors.js';
import { findJsonPath } from '../json-path.js';
import { measured, type MeasuredOutcome } from '../outcome.js';
import { sendRequest } from './provider-requests.js';

const PROVIDER = 'web';
const DEFAULT_TIMEOUT_SECONDS = 10;

function requestBody(provider: WebProvider, method: string): string | undefined {
  const hasBody = provider.body !== undefined && provider.body !== '';
  const hasJsonBody = provider.jsonBody !== undefined && provider.jsonBody !== null;
  if (hasBody && hasJsonBody) throw new MeasurementError(PROVIDER, 'use either Body or JSONBody; both cannot exists for WebMetric payload');
  if ((hasBody || hasJsonBody) && method === 'GET')
    throw new MeasurementError(PROVIDER, 'Body/JSONBody can only be used with POST or PUT WebMetric Method types');
  return hasJsonBody ? JSON.stringify(provider.jsonBody) : hasBody ? provider.body : undefined;
}

function parseBody(text: string): { json: true; document: unknown } | { json: false } {
  try {
    return { json: true, document: JSON.parse(text) as unknown };
  } catch {
    return { json: false };
  }
}

async function measureWeb(provider: WebProvider, context: MeasureContext): Promise<MeasuredOutcome> {
  const method = provider.method ?? 'GET';
  const body = requestBody(provider, method);
  const headers: Record<string, string> = {};
  for (const header of provider.headers ?? []) headers[header.key] = header.value;
  if (provider.jsonBody !== undefined && provider.jsonBody !== null) headers['Content-Type'] = 'application/json';
  const timeoutSeconds =
    provider.timeoutSeconds !== undefined && provider.timeoutSeconds > 0 ? provider.timeoutSeconds : DEFAULT_TIMEOUT_SECONDS;
  const response = await sendRequest(context, timeoutSeconds * 1000, {
    method,
    url: provider.url,
    headers,
    ...(body === undefined ? {} : { body }),
    ...(provider.insecure ? { insecure: true } : {}),
  });
  if (response.status < 200 || response.status >= 300) {
    throw new MeasurementError(PROVIDER, `received non 2xx response code: ${response.status}`, { httpStatusCode: String(response.status) });
  }
  const parsed = parseBody(response.body);
  // As Argo: a body that is not JSON is a plain status check, Successful with the body as its value.
  if (!parsed.json) return measured(response.body, response.body, { phase: 'Successful' });
  const [first] = findJsonPath(parsed.document, provider.jsonPath);
  if (first === undefined) throw new MeasurementError(PROVIDER, 'result of web metric produced no value');
  return measured(first, JSON.stringify(first));
}

/**
 * Calls `url` with `method` (GET, POST or PUT), the configured headers and `body` or `jsonBody`, within
 * `timeoutSeconds` (10 by default); a non-2xx status is an error. The value is the first match of
 * `jsonPath` (Kubernetes syntax, braces optional) in the JSON body, or the whole document without one.
 */
export const webAdapter = defineAdapter('web', measureWeb);
