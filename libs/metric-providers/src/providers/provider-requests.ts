import type { MeasureContext, SecretLookupOptions } from '../context.js';
import { MeasurementError } from '../errors.js';
import type { HttpRequest, HttpResponse } from '../http/http-transport.js';

/** Sends a provider's request with the measurement's signal and timeout (`defaultTimeoutMs` unless the context overrides it). */
export function sendRequest(
  context: MeasureContext,
  defaultTimeoutMs: number,
  request: Omit<HttpRequest, 'timeoutMs' | 'signal'>,
): Promise<HttpResponse> {
  return context.http.send({
    ...request,
    timeoutMs: context.timeoutMs ?? defaultTimeoutMs,
    ...(context.signal ? { signal: context.signal } : {}),
  });
}

export function parseJson(provider: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new MeasurementError(provider, `could not parse JSON body: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A response or spec field that should hold a scalar, as text; an object or a list in its place reads as its JSON. */
export function scalarText(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/** Throws unless the response is 2xx, quoting the body as Argo's providers do. */
export function requireSuccess(provider: string, response: HttpResponse): void {
  if (response.status < 200 || response.status >= 300) {
    throw new MeasurementError(provider, `received non 2xx response code: ${response.status} ${response.body}`.trim(), {
      httpStatusCode: String(response.status),
    });
  }
}

/** The Secret `name`, with every key of `required` set; throws naming what is missing. */
export async function requireSecret(
  context: MeasureContext,
  provider: string,
  name: string,
  required: readonly string[],
  options?: SecretLookupOptions,
): Promise<Record<string, string>> {
  const secret = await context.secrets(name, options);
  if (!secret)
    throw new MeasurementError(provider, `secret "${name}" not found${options?.runNamespaceOnly ? " in the run's namespace" : ''}`);
  const missing = required.filter((key) => !secret[key]);
  if (missing.length > 0) throw new MeasurementError(provider, `secret "${name}" lacks ${missing.join(', ')}`);
  return secret;
}

/** Joins a base address and a path without doubling or dropping the slash between them. */
export function joinUrl(address: string, path: string): string {
  return `${address.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
