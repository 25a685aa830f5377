import type { MetricProvider, MetricProviderName } from '@flotilla/argo-spec';
import type { MeasureContext, MetricProviderAdapter } from './context.js';
import { errorMessage, MeasurementError } from './errors.js';
import type { ProviderOutcome } from './outcome.js';

/**
 * Builds an adapter from a function that may throw: whatever it throws becomes an error outcome, so the
 * engine records a Measurement in phase Error instead of seeing an exception.
 */
export function defineAdapter<Kind extends MetricProviderName>(
  kind: Kind,
  run: (provider: NonNullable<MetricProvider[Kind]>, context: MeasureContext) => Promise<ProviderOutcome>,
): MetricProviderAdapter<Kind> {
  return {
    kind,
    async measure(provider, context) {
      try {
        return await run(provider, context);
      } catch (error) {
        const metadata = error instanceof MeasurementError && Object.keys(error.metadata).length > 0 ? { metadata: error.metadata } : {};
        return { ok: false, error: errorMessage(error), ...metadata };
      }
    },
  };
}
