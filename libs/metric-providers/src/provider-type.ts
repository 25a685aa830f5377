import type { MetricProviderName } from '@flotilla/argo-spec';

/** Argo's names of its providers, as its metrics label them. */
const ARGO_PROVIDER_TYPES: Record<MetricProviderName, string> = {
  prometheus: 'Prometheus',
  job: 'Job',
  kayenta: 'Kayenta',
  web: 'Web',
  datadog: 'Datadog',
  wavefront: 'Wavefront',
  newRelic: 'NewRelic',
  cloudWatch: 'CloudWatch',
  graphite: 'Graphite',
  influxdb: 'Influxdb',
  skywalking: 'skywalking',
};

/** The provider's type as Argo's `analysis_run_metric_type` labels it, checked in Argo's order. */
export function providerTypeOf(provider: Partial<Record<MetricProviderName, unknown>>): string {
  const kind = (Object.keys(ARGO_PROVIDER_TYPES) as MetricProviderName[]).find(
    (name) => provider[name] !== undefined && provider[name] !== null,
  );
  return kind ? ARGO_PROVIDER_TYPES[kind] : 'Unknown Provider';
}
