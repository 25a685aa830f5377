export * from './outcome.js';
export * from './context.js';
export * from './errors.js';
export { defineAdapter } from './define-adapter.js';
export * from './registry.js';
export { providerTypeOf } from './provider-type.js';
export {
  createHttpTransport,
  type HttpMethod,
  type HttpRequest,
  type HttpResponse,
  type HttpTransport,
  type HttpTransportOptions,
} from './http/http-transport.js';
export { findJsonPath, toJsonPathPlus } from './json-path.js';
export { mapStrings, stringsOf } from './json-strings.js';
export { MIN_REDACTED_LENGTH, REDACTED, redactSecrets } from './redaction.js';
export { goFloat, goFloatG, goSprint, goQueryEscape, goEncodeQuery } from './go-format.js';
export * from './jobs/job-runner.js';
export { prometheusAdapter, parseSampleValue, shapeQueryData } from './providers/prometheus.js';
export { webAdapter } from './providers/web.js';
export { jobAdapter, jobManifest } from './providers/job.js';
export { datadogAdapter, DATADOG_SECRET, shapeV1Answer, shapeV2Answer, validateDatadogProvider } from './providers/datadog.js';
export { newRelicAdapter, NEW_RELIC_DEFAULT_PROFILE, NRQL_QUERY, shapeNrqlResults } from './providers/newrelic.js';
export { wavefrontAdapter, WAVEFRONT_TOKENS_SECRET, closestPoint } from './providers/wavefront.js';
export { graphiteAdapter, graphiteRenderUrl, graphiteValues } from './providers/graphite.js';
export { influxdbAdapter, INFLUXDB_DEFAULT_PROFILE, FLUX_DIALECT } from './providers/influxdb.js';
export { fluxValues } from './providers/annotated-csv.js';
export { cloudWatchAdapter, CLOUDWATCH_SECRET, toMetricDataQuery } from './providers/cloudwatch.js';
export { signV4, amzDate, type AwsCredentials, type SignableRequest } from './providers/sigv4.js';
export { kayentaAdapter, kayentaPhase } from './providers/kayenta.js';
export { skywalkingAdapter, skywalkingMinute } from './providers/skywalking.js';
export { graphqlQuery } from './providers/graphql.js';
