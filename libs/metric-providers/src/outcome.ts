import type { CompletedPhase } from '@flotilla/analysis';

/**
 * What one measurement produced. A failed query is an outcome with an error (the engine records a
 * Measurement in phase Error), never a thrown exception.
 *
 * `value` is what a condition sees as `result`; `rawValue` is the text Argo stores in the
 * Measurement's `value`. `phase` is set only by providers that decide the phase themselves, as Argo's
 * job and kayenta providers do (and web for a body that is not JSON): conditions are then not evaluated.
 */
export type ProviderOutcome =
  | { ok: true; value: unknown; rawValue: string; phase?: CompletedPhase; metadata?: Record<string, string> }
  | { ok: false; error: string; metadata?: Record<string, string> };

export type MeasuredOutcome = Extract<ProviderOutcome, { ok: true }>;

export function measured(value: unknown, rawValue: string, extra: Pick<MeasuredOutcome, 'phase' | 'metadata'> = {}): MeasuredOutcome {
  return { ok: true, value, rawValue, ...extra };
}
