import type { HttpResponse, HttpTransportError, TransportFailureKind } from '@flotilla/metric-providers';
import { delivered, permanent, retryable, type DeliveryOutcome } from './delivery-outcome.js';

const RETRYABLE_TRANSPORT_FAILURES: ReadonlySet<TransportFailureKind> = new Set(['timeout', 'network', 'aborted']);
const MAX_QUOTED_BODY = 300;

/**
 * `Retry-After` as milliseconds from `now`: delay-seconds (`120`) or an HTTP date; `undefined` when absent or unreadable.
 * @example retryAfterMs('30', new Date()) // 30000
 */
export function retryAfterMs(header: string | undefined, now: Date): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

function quoted(body: string): string {
  const text = body.trim();
  if (text === '') return '';
  return `: ${text.length > MAX_QUOTED_BODY ? `${text.slice(0, MAX_QUOTED_BODY)}…` : text}`;
}

/**
 * The outcome of an HTTP answer: 2xx delivered, 429 and 5xx retryable (after `Retry-After` when given), any other
 * status permanent.
 * @example outcomeOfResponse('slack', { status: 503, headers: { 'retry-after': '5' }, body: '', url }, now)
 * // { kind: 'retryable', reason: 'slack answered 503', retryAfterMs: 5000 }
 */
export function outcomeOfResponse(service: string, response: HttpResponse, now: Date): DeliveryOutcome {
  if (response.status >= 200 && response.status < 300) return delivered();
  const reason = `${service} answered ${response.status}${quoted(response.body)}`;
  if (response.status === 429 || response.status >= 500) return retryable(reason, retryAfterMs(response.headers['retry-after'], now));
  return permanent(reason);
}

/** The outcome of a request that got no answer: timeouts and failed connections are retried, a refused address or a bad URL is not. */
export function outcomeOfTransportFailure(error: HttpTransportError): DeliveryOutcome {
  return RETRYABLE_TRANSPORT_FAILURES.has(error.kind) ? retryable(error.message) : permanent(error.message);
}
