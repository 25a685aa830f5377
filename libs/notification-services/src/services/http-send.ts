import type { HttpRequest, HttpResponse } from '@flotilla/metric-providers';
import type { DeliveryOutcome } from '../delivery-outcome.js';
import { outcomeOfResponse } from '../http-outcome.js';
import type { ServiceEnvironment } from '../notification-service.js';

/** Sends one request within the environment's timeout; throws `HttpTransportError` when no answer came. */
export function sendRequest(environment: ServiceEnvironment, request: Omit<HttpRequest, 'timeoutMs'>): Promise<HttpResponse> {
  return environment.http.send({ ...request, timeoutMs: environment.timeoutMs });
}

/** Sends one JSON request and judges the answer by its status alone. */
export async function postJson(
  environment: ServiceEnvironment,
  service: string,
  request: { url: string; headers?: Record<string, string>; body: unknown; insecure?: boolean },
): Promise<DeliveryOutcome> {
  const response = await sendRequest(environment, {
    method: 'POST',
    url: request.url,
    headers: { 'Content-Type': 'application/json', ...request.headers },
    body: JSON.stringify(request.body),
    ...(request.insecure ? { insecure: true } : {}),
  });
  return outcomeOfResponse(service, response, environment.now());
}

/** `base` and `path` joined by exactly one slash, as Argo joins a webhook's URL and its template's path. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
