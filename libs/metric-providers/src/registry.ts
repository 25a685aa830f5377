import { METRIC_PROVIDER_NAMES, type Metric, type MetricProvider, type MetricProviderName } from '@flotilla/argo-spec';
import type { MeasureContext, MetricProviderAdapter } from './context.js';
import { errorMessage } from './errors.js';
import type { ProviderOutcome } from './outcome.js';
import { cloudWatchAdapter } from './providers/cloudwatch.js';
import { datadogAdapter } from './providers/datadog.js';
import { graphiteAdapter } from './providers/graphite.js';
import { influxdbAdapter } from './providers/influxdb.js';
import { jobAdapter } from './providers/job.js';
import { kayentaAdapter } from './providers/kayenta.js';
import { newRelicAdapter } from './providers/newrelic.js';
import { prometheusAdapter } from './providers/prometheus.js';
import { skywalkingAdapter } from './providers/skywalking.js';
import { wavefrontAdapter } from './providers/wavefront.js';
import { webAdapter } from './providers/web.js';

/** One adapter per provider kind. */
export type ProviderRegistry = { readonly [Kind in MetricProviderName]: MetricProviderAdapter<Kind> };

/**
 * The adapters of every provider Argo Rollouts ships, optionally with some replaced (by fakes in tests).
 * @example createProviderRegistry().prometheus.kind === 'prometheus'
 */
export function createProviderRegistry(overrides: Partial<ProviderRegistry> = {}): ProviderRegistry {
  return {
    prometheus: prometheusAdapter,
    web: webAdapter,
    job: jobAdapter,
    datadog: datadogAdapter,
    newRelic: newRelicAdapter,
    wavefront: wavefrontAdapter,
    graphite: graphiteAdapter,
    influxdb: influxdbAdapter,
    cloudWatch: cloudWatchAdapter,
    kayenta: kayentaAdapter,
    skywalking: skywalkingAdapter,
    ...overrides,
  };
}

/** The kinds a metric's provider block sets; a valid metric sets exactly one. */
export function providerKindsOf(provider: MetricProvider): MetricProviderName[] {
  return METRIC_PROVIDER_NAMES.filter((kind) => provider[kind] !== undefined && provider[kind] !== null);
}

async function run<Kind extends MetricProviderName>(
  registry: ProviderRegistry,
  kind: Kind,
  provider: MetricProvider,
  context: MeasureContext,
): Promise<ProviderOutcome> {
  const adapter: MetricProviderAdapter<Kind> = registry[kind];
  const settings = provider[kind] as NonNullable<MetricProvider[Kind]>;
  return adapter.measure(settings, context);
}

/**
 * Takes one measurement of `metric` with its single provider. Never throws: a metric with no provider
 * or several, and anything an adapter throws, are error outcomes.
 * @example
 * await measureMetric({ name: 'up', provider: { prometheus: { address: 'http://prom:9090', query: 'up' } } },
 *   { http, secrets, run, measurementIndex: 1 })
 * // { ok: true, value: [1], rawValue: '[1]', metadata: { ResolvedPrometheusQuery: 'up' } }
 */
export async function measureMetric(
  metric: Pick<Metric, 'name' | 'provider'>,
  context: Omit<MeasureContext, 'metricName'>,
  registry: ProviderRegistry = createProviderRegistry(),
): Promise<ProviderOutcome> {
  const kinds = providerKindsOf(metric.provider);
  const [kind] = kinds;
  if (kind === undefined) return { ok: false, error: `metric "${metric.name}" has no provider` };
  if (kinds.length > 1) return { ok: false, error: `metric "${metric.name}" sets several providers: ${kinds.join(', ')}` };
  try {
    return await run(registry, kind, metric.provider, { ...context, metricName: metric.name });
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  }
}
