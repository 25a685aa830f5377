import {
  type AnalysisRunArgument,
  type AnalysisTemplateRef,
  type AnalysisTemplateSpec,
  type AntiAffinity,
  type BlueGreenStrategy,
  type CanaryStep,
  type CanaryStrategy,
  type CloudWatchProvider,
  type Container,
  type DatadogProvider,
  type DryRun,
  type ExperimentAnalysisTemplateRef,
  type ExperimentSpec,
  type ExperimentTemplate,
  GATEWAY_API_PLUGIN,
  type GatewayApiTrafficRouting,
  type GraphiteProvider,
  type HeaderRoutingMatch,
  type InfluxdbProvider,
  type IstioDestinationRule,
  type IstioTrafficRouting,
  type IstioVirtualService,
  type JobProvider,
  type KayentaProvider,
  type LabelSelector,
  type LabelSelectorRequirement,
  type MeasurementRetention,
  type Metric,
  type MetricProvider,
  type PrometheusAuthentication,
  type PrometheusOAuth2,
  type PrometheusRangeQuery,
  type PrometheusSigV4,
  METRIC_PROVIDER_NAMES,
  type NewRelicProvider,
  type NginxTrafficRouting,
  type ObjectMeta,
  type PodSpec,
  type PodTemplateMetadata,
  type PodTemplateSpec,
  type PrometheusProvider,
  type RolloutAnalysis,
  type RolloutAnalysisBackground,
  type RolloutExperimentStep,
  type RolloutExperimentStepAnalysisTemplateRef,
  type RolloutExperimentTemplate,
  type RolloutPause,
  type RolloutSpec,
  type RolloutStrategy,
  type RolloutTrafficRouting,
  type RouteMatch,
  type SetCanaryScale,
  type SetHeaderRoute,
  type SetMirrorRoute,
  type SkywalkingProvider,
  type SmiTrafficRouting,
  type StringMatch,
  type TemplateArgument,
  type WavefrontProvider,
  type WebProvider,
} from '../types.js';
import { FREEZE_POLICIES, type FreezeWindowSpec } from '../freeze-window.js';
import { FAILURE_POLICIES, type FleetRolloutSpec, type FleetWaveAnalysis, type FleetWaveSpec, WAVE_APPROVALS } from '../fleet-rollout.js';
import { imageReferenceProblem } from '../image-reference.js';
import {
  ANNOTATIONS_MAX_TOTAL_BYTES,
  dns1123LabelProblem,
  dns1123SubdomainProblem,
  generateNameProblem,
  labelValueProblem,
  qualifiedNameProblem,
} from '../kubernetes-names.js';
import {
  MAX_ANNOTATIONS,
  MAX_FREEZE_NAMESPACES,
  MAX_REASON_LENGTH,
  MAX_INT32,
  MAX_DISCONNECTED_TIMEOUT_SECONDS,
  MAX_FLEET_WAVES,
  MAX_LABELS,
  MAX_SOAK_SECONDS,
  unstorableTextProblem,
} from '../limits.js';
import { childPath, type IssueList } from './issues.js';
import {
  array,
  boolean,
  custom,
  describeValue,
  type FieldSchemas,
  integer,
  intOrPercent,
  intOrString,
  isPlainObject,
  jsonObject,
  jsonValue,
  type Loose,
  type OptionalSchema,
  number,
  object,
  oneOf,
  record,
  required,
  type Schema,
  string,
} from './schema.js';

const nonNegative = (): OptionalSchema<number> => integer({ min: 0 });
const nonEmpty = (): OptionalSchema<string> => string({ nonEmpty: true });

/** Checks the fields an object declares and leaves every other field free-form JSON (Kubernetes owns them). */
function openObject<T>(declared: Record<string, Schema<unknown>>): OptionalSchema<T> {
  return custom<T>((value: unknown, path: string, issues: IssueList) => {
    if (!isPlainObject(value)) {
      issues.add(path, `must be an object, not ${describeValue(value)}`);
      return undefined;
    }
    const result: Record<string, unknown> = {};
    for (const [field, fieldValue] of Object.entries(value)) {
      const fieldSchema = Object.hasOwn(declared, field) ? declared[field] : jsonValue();
      const checked = fieldValue === null ? null : fieldSchema?.check(fieldValue, childPath(path, field), issues);
      if (checked !== undefined) result[field] = checked;
    }
    for (const [field, fieldSchema] of Object.entries(declared)) {
      if (fieldSchema.required && (value[field] === undefined || value[field] === null)) {
        issues.add(childPath(path, field), 'is required');
      }
    }
    return result as Loose<T>;
  });
}

const stringMap = (): OptionalSchema<Record<string, string>> => record(string());

/** Labels, or a selector's matchLabels: qualified-name keys, label values, at most MAX_LABELS of them. */
const labelsSchema = record(string({ problem: labelValueProblem }), { keyProblem: qualifiedNameProblem, maxEntries: MAX_LABELS });

const utf8 = new TextEncoder();

const annotationEntriesSchema = record(string(), { keyProblem: qualifiedNameProblem, maxEntries: MAX_ANNOTATIONS });

/** Annotations: qualified-name keys, at most MAX_ANNOTATIONS of them, within Kubernetes' total size. */
const annotationsSchema = custom<Record<string, string>>((value, path, issues) => {
  const checked = annotationEntriesSchema.check(value, path, issues);
  if (checked === undefined) return undefined;
  const totalBytes = Object.entries(checked).reduce(
    (total, [key, text]) => total + utf8.encode(key).length + utf8.encode(text ?? '').length,
    0,
  );
  if (totalBytes > ANNOTATIONS_MAX_TOTAL_BYTES) {
    issues.add(path, `must total at most ${ANNOTATIONS_MAX_TOTAL_BYTES} bytes of keys and values, not ${totalBytes}`);
    return undefined;
  }
  return checked;
});

export const objectMetaSchema = object<ObjectMeta>({
  name: string(),
  generateName: string({ problem: generateNameProblem }),
  namespace: string({ problem: dns1123LabelProblem }),
  labels: labelsSchema,
  annotations: annotationsSchema,
});

const podTemplateMetadataSchema = object<PodTemplateMetadata>({ labels: labelsSchema, annotations: annotationsSchema });

export const labelSelectorSchema = object<LabelSelector>({
  matchLabels: labelsSchema,
  matchExpressions: array(
    object<LabelSelectorRequirement>({
      key: required(string({ problem: qualifiedNameProblem })),
      operator: required(oneOf(['In', 'NotIn', 'Exists', 'DoesNotExist'])),
      values: array(string({ problem: labelValueProblem })),
    }),
  ),
});

const containerSchema = openObject<Container>({
  name: required(string({ problem: dns1123LabelProblem })),
  image: string({ problem: imageReferenceProblem }),
});

const refusedField = (message: string): OptionalSchema<never> =>
  custom<never>((_value, path, issues) => {
    issues.add(path, message);
    return undefined;
  });

const podSpecSchema = openObject<PodSpec & { ephemeralContainers?: never }>({
  containers: required(array(containerSchema, { minItems: 1 })),
  initContainers: array(containerSchema),
  ephemeralContainers: refusedField('cannot be set in a pod template: Kubernetes adds ephemeral containers to running pods only'),
});

export const podTemplateSpecSchema = object<PodTemplateSpec>({
  metadata: podTemplateMetadataSchema,
  spec: required(podSpecSchema),
});

// ---------------------------------------------------------------- analysis references

const fieldRefSchema = object<{ fieldPath: string }>({ fieldPath: required(nonEmpty()) });

const analysisRunArgumentSchema = object<AnalysisRunArgument>({
  name: required(nonEmpty()),
  value: string(),
  valueFrom: object<NonNullable<AnalysisRunArgument['valueFrom']>>({
    podTemplateHashValue: oneOf(['Stable', 'Latest']),
    fieldRef: fieldRefSchema,
  }),
});

const templateArgumentSchema = object<TemplateArgument>({
  name: required(nonEmpty()),
  value: string(),
  valueFrom: object<NonNullable<TemplateArgument['valueFrom']>>({
    secretKeyRef: object<{ name: string; key: string }>({ name: required(nonEmpty()), key: required(nonEmpty()) }),
    fieldRef: fieldRefSchema,
  }),
});

const dryRunSchema = object<DryRun>({ metricName: required(nonEmpty()) });
const measurementRetentionSchema = object<MeasurementRetention>({
  metricName: required(nonEmpty()),
  limit: required(nonNegative()),
});

const analysisTemplateRefSchema = object<AnalysisTemplateRef>({ templateName: required(nonEmpty()), clusterScope: boolean() });

const rolloutAnalysisFields: FieldSchemas<RolloutAnalysis> = {
  templates: required(array(analysisTemplateRefSchema, { minItems: 1 })),
  args: array(analysisRunArgumentSchema),
  dryRun: array(dryRunSchema),
  measurementRetention: array(measurementRetentionSchema),
  analysisRunMetadata: podTemplateMetadataSchema,
};

const rolloutAnalysisSchema = object<RolloutAnalysis>(rolloutAnalysisFields);
const backgroundAnalysisSchema = object<RolloutAnalysisBackground>({ ...rolloutAnalysisFields, startingStep: nonNegative() });

// ---------------------------------------------------------------- canary

const stringMatchSchema = object<StringMatch>({ exact: string(), prefix: string(), regex: string() });

const experimentStepAnalysisSchema = object<RolloutExperimentStepAnalysisTemplateRef>({
  name: required(nonEmpty()),
  templateName: required(nonEmpty()),
  clusterScope: boolean(),
  args: array(analysisRunArgumentSchema),
  requiredForCompletion: boolean(),
});

const canaryStepSchema = object<CanaryStep>({
  setWeight: nonNegative(),
  pause: object<RolloutPause>({ duration: intOrString() }),
  experiment: object<RolloutExperimentStep>({
    templates: required(
      array(
        object<RolloutExperimentTemplate>({
          name: required(nonEmpty()),
          specRef: required(oneOf(['stable', 'canary'])),
          replicas: nonNegative(),
          weight: integer({ min: 0, max: 100 }),
          metadata: podTemplateMetadataSchema,
          selector: labelSelectorSchema,
          service: object<{ name?: string }>({ name: string() }),
        }),
        { minItems: 1 },
      ),
    ),
    duration: string(),
    analyses: array(experimentStepAnalysisSchema),
    dryRun: array(dryRunSchema),
    scaleDownDelaySeconds: nonNegative(),
  }),
  analysis: rolloutAnalysisSchema,
  setCanaryScale: object<SetCanaryScale>({
    weight: integer({ min: 0, max: 100 }),
    replicas: nonNegative(),
    matchTrafficWeight: boolean(),
  }),
  setHeaderRoute: object<SetHeaderRoute>({
    name: required(nonEmpty()),
    match: array(object<HeaderRoutingMatch>({ headerName: required(nonEmpty()), headerValue: required(stringMatchSchema) })),
  }),
  setMirrorRoute: object<SetMirrorRoute>({
    name: required(nonEmpty()),
    match: array(object<RouteMatch>({ method: stringMatchSchema, path: stringMatchSchema, headers: record(stringMatchSchema) })),
    percentage: integer({ min: 0, max: 100 }),
  }),
});

const istioVirtualServiceSchema = object<IstioVirtualService>({
  name: required(nonEmpty()),
  routes: array(string()),
  tlsRoutes: array(object<{ port?: number; sniHosts?: string[] }>({ port: nonNegative(), sniHosts: array(string()) })),
  tcpRoutes: array(object<{ port?: number }>({ port: nonNegative() })),
});

const gatewayApiSchema = object<GatewayApiTrafficRouting>({
  httpRoute: nonEmpty(),
  httpRoutes: array(object<{ name: string; useHeaderRoutes?: boolean }>({ name: required(nonEmpty()), useHeaderRoutes: boolean() })),
  namespace: string(),
});

const trafficRouterPluginsSchema = custom<NonNullable<RolloutTrafficRouting['plugins']>>((value, path, issues) => {
  if (!isPlainObject(value)) {
    issues.add(path, `must be an object, not ${describeValue(value)}`);
    return undefined;
  }
  const result: Record<string, unknown> = {};
  let allSupported = true;
  for (const [plugin, configuration] of Object.entries(value)) {
    const pluginPath = `${path}[${plugin}]`;
    if (plugin !== GATEWAY_API_PLUGIN) {
      issues.add(pluginPath, `traffic router plugin "${plugin}" is not supported; the supported plugin is "${GATEWAY_API_PLUGIN}"`);
      allSupported = false;
      continue;
    }
    const checked = gatewayApiSchema.check(configuration, pluginPath, issues);
    if (checked !== undefined) result[plugin] = checked;
  }
  // Refusing the whole map keeps rules that count routers from reporting a missing router on top.
  return allSupported ? (result as Loose<NonNullable<RolloutTrafficRouting['plugins']>>) : undefined;
});

const UNSUPPORTED_TRAFFIC_ROUTERS = ['alb', 'ambassador', 'appMesh', 'traefik', 'apisix'];

const trafficRoutingSchema = object<RolloutTrafficRouting>(
  {
    nginx: object<NginxTrafficRouting>({
      stableIngress: nonEmpty(),
      stableIngresses: array(nonEmpty()),
      annotationPrefix: string(),
      additionalIngressAnnotations: annotationsSchema,
      canaryIngressAnnotations: annotationsSchema,
    }),
    istio: object<IstioTrafficRouting>({
      virtualService: istioVirtualServiceSchema,
      virtualServices: array(istioVirtualServiceSchema),
      destinationRule: object<IstioDestinationRule>({
        name: required(nonEmpty()),
        canarySubsetName: required(nonEmpty()),
        stableSubsetName: required(nonEmpty()),
      }),
    }),
    smi: object<SmiTrafficRouting>({ rootService: string(), trafficSplitName: string() }),
    plugins: trafficRouterPluginsSchema,
    managedRoutes: array(object<{ name: string }>({ name: required(nonEmpty()) })),
    maxTrafficWeight: integer({ min: 1 }),
  },
  {
    describeUnknownField: (field) =>
      UNSUPPORTED_TRAFFIC_ROUTERS.includes(field)
        ? `traffic router "${field}" is not supported; use nginx, istio, smi or plugins["${GATEWAY_API_PLUGIN}"]`
        : `unknown field "${field}"`,
  },
);

const antiAffinitySchema = object<AntiAffinity>({
  preferredDuringSchedulingIgnoredDuringExecution: object<{ weight: number }>({ weight: required(integer()) }),
  requiredDuringSchedulingIgnoredDuringExecution: object<Record<string, never>>({}),
});

const canaryStrategySchema = object<CanaryStrategy>({
  canaryService: string(),
  stableService: string(),
  steps: array(canaryStepSchema),
  trafficRouting: trafficRoutingSchema,
  maxUnavailable: intOrPercent(),
  maxSurge: intOrPercent(),
  analysis: backgroundAnalysisSchema,
  antiAffinity: antiAffinitySchema,
  canaryMetadata: podTemplateMetadataSchema,
  stableMetadata: podTemplateMetadataSchema,
  scaleDownDelaySeconds: nonNegative(),
  scaleDownDelayRevisionLimit: nonNegative(),
  abortScaleDownDelaySeconds: nonNegative(),
  dynamicStableScale: boolean(),
  minPodsPerReplicaSet: integer({ min: 1 }),
  replicaProgressThreshold: object<NonNullable<CanaryStrategy['replicaProgressThreshold']>>({
    type: required(oneOf(['Pod', 'Percent'])),
    value: required(nonNegative()),
  }),
});

// ---------------------------------------------------------------- blue-green

const blueGreenStrategySchema = object<BlueGreenStrategy>({
  activeService: required(nonEmpty()),
  previewService: string(),
  previewReplicaCount: integer({ min: 1 }),
  autoPromotionEnabled: boolean(),
  autoPromotionSeconds: nonNegative(),
  maxUnavailable: intOrPercent(),
  scaleDownDelaySeconds: nonNegative(),
  scaleDownDelayRevisionLimit: nonNegative(),
  abortScaleDownDelaySeconds: nonNegative(),
  prePromotionAnalysis: rolloutAnalysisSchema,
  postPromotionAnalysis: rolloutAnalysisSchema,
  previewMetadata: podTemplateMetadataSchema,
  activeMetadata: podTemplateMetadataSchema,
  antiAffinity: antiAffinitySchema,
});

export const rolloutSpecSchema = object<RolloutSpec>({
  replicas: nonNegative(),
  selector: required(labelSelectorSchema),
  template: required(podTemplateSpecSchema),
  minReadySeconds: nonNegative(),
  revisionHistoryLimit: nonNegative(),
  paused: boolean(),
  progressDeadlineSeconds: nonNegative(),
  progressDeadlineAbort: boolean(),
  restartAt: string(),
  rollbackWindow: object<{ revisions: number }>({ revisions: required(nonNegative()) }),
  analysis: object<NonNullable<RolloutSpec['analysis']>>({
    successfulRunHistoryLimit: nonNegative(),
    unsuccessfulRunHistoryLimit: nonNegative(),
  }),
  strategy: required(object<RolloutStrategy>({ canary: canaryStrategySchema, blueGreen: blueGreenStrategySchema })),
});

// ---------------------------------------------------------------- analysis templates

/** The aggregators Argo's CRD allows for Datadog v2 queries. */
const DATADOG_AGGREGATORS = ['avg', 'min', 'max', 'sum', 'last', 'percentile', 'mean', 'l2norm', 'area'] as const;

const headersSchema = array(object<{ key: string; value: string }>({ key: required(nonEmpty()), value: required(string()) }));

const metricProviderSchema = object<MetricProvider>(
  {
    prometheus: object<PrometheusProvider>({
      address: required(nonEmpty()),
      query: required(nonEmpty()),
      timeout: nonNegative(),
      insecure: boolean(),
      headers: headersSchema,
      authentication: object<PrometheusAuthentication>({
        sigv4: object<PrometheusSigV4>({ region: string(), profile: string(), roleArn: string() }),
        oauth2: object<PrometheusOAuth2>({ tokenUrl: string(), clientId: string(), clientSecret: string(), scopes: array(string()) }),
      }),
      rangeQuery: object<PrometheusRangeQuery>({ start: string(), end: string(), step: string() }),
    }),
    web: object<WebProvider>({
      url: required(nonEmpty()),
      method: oneOf(['GET', 'POST', 'PUT']),
      headers: headersSchema,
      body: string(),
      jsonBody: jsonValue(),
      timeoutSeconds: nonNegative(),
      jsonPath: string(),
      insecure: boolean(),
    }),
    job: object<JobProvider>({ metadata: podTemplateMetadataSchema, spec: required(jsonObject()) }),
    datadog: object<DatadogProvider>({
      interval: string(),
      query: nonEmpty(),
      queries: stringMap(),
      formula: nonEmpty(),
      apiVersion: oneOf(['v1', 'v2']),
      aggregator: oneOf(DATADOG_AGGREGATORS),
      secretRef: object<NonNullable<DatadogProvider['secretRef']>>({ name: string(), namespaced: boolean() }),
      requestTimeout: string(),
    }),
    newRelic: object<NewRelicProvider>({ profile: string(), query: required(nonEmpty()), timeout: nonNegative() }),
    wavefront: object<WavefrontProvider>({ address: string(), query: required(nonEmpty()) }),
    graphite: object<GraphiteProvider>({ address: required(nonEmpty()), query: required(nonEmpty()) }),
    influxdb: object<InfluxdbProvider>({ profile: string(), query: required(nonEmpty()) }),
    cloudWatch: object<CloudWatchProvider>({
      interval: string(),
      metricDataQueries: required(array(jsonObject(), { minItems: 1 })),
    }),
    kayenta: object<KayentaProvider>({
      address: required(nonEmpty()),
      application: required(nonEmpty()),
      canaryConfigName: required(nonEmpty()),
      metricsAccountName: required(nonEmpty()),
      configurationAccountName: required(nonEmpty()),
      storageAccountName: required(nonEmpty()),
      threshold: required(object<KayentaProvider['threshold']>({ pass: required(number()), marginal: required(number()) })),
      scopes: required(array(jsonObject(), { minItems: 1 })),
    }),
    skywalking: object<SkywalkingProvider>({ address: required(nonEmpty()), query: required(nonEmpty()), interval: string() }),
  },
  {
    describeUnknownField: (field) => `unknown metric provider "${field}" (supported: ${METRIC_PROVIDER_NAMES.join(', ')})`,
  },
);

const metricSchema = object<Metric>({
  name: required(nonEmpty()),
  interval: string(),
  initialDelay: string(),
  count: intOrString(),
  successCondition: string({ nonEmpty: true }),
  failureCondition: string({ nonEmpty: true }),
  failureLimit: intOrString(),
  inconclusiveLimit: intOrString(),
  consecutiveErrorLimit: intOrString(),
  consecutiveSuccessLimit: intOrString(),
  provider: required(metricProviderSchema),
});

export const analysisTemplateSpecSchema = object<AnalysisTemplateSpec>({
  args: array(templateArgumentSchema),
  metrics: required(array(metricSchema, { minItems: 1 })),
  dryRun: array(dryRunSchema),
  measurementRetention: array(measurementRetentionSchema),
});

// ---------------------------------------------------------------- experiments

export const experimentSpecSchema = object<ExperimentSpec>({
  duration: string(),
  progressDeadlineSeconds: nonNegative(),
  templates: required(
    array(
      object<ExperimentTemplate>({
        name: required(nonEmpty()),
        replicas: nonNegative(),
        minReadySeconds: nonNegative(),
        selector: required(labelSelectorSchema),
        template: required(podTemplateSpecSchema),
        service: object<{ name?: string }>({ name: string() }),
        weight: integer({ min: 0, max: 100 }),
      }),
      { minItems: 1 },
    ),
  ),
  analyses: array(
    object<ExperimentAnalysisTemplateRef>({
      name: required(nonEmpty()),
      templateName: required(nonEmpty()),
      clusterScope: boolean(),
      args: array(analysisRunArgumentSchema),
      requiredForCompletion: boolean(),
    }),
  ),
  terminate: boolean(),
  scaleDownDelaySeconds: nonNegative(),
  dryRun: array(dryRunSchema),
  measurementRetention: array(measurementRetentionSchema),
});

// ---------------------------------------------------------------- fleet rollouts

const PERCENT_OF_MEMBERS = /^([1-9]\d*)%$/;

/** A wave's `maxParallel`: a positive number of members, or a share of them from "1%" to "100%". */
const maxParallelSchema = custom<NonNullable<FleetWaveSpec['maxParallel']>>((value, path, issues) => {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_INT32) return value;
  const share = typeof value === 'string' ? PERCENT_OF_MEMBERS.exec(value) : null;
  if (share && Number(share[1]) <= 100) return value as `${number}%`;
  issues.add(path, `must be a positive integer or a percentage from "1%" to "100%", such as "25%", not ${describeValue(value)}`);
  return undefined;
});

const disconnectedTimeoutSchema = (): OptionalSchema<number> => integer({ min: 1, max: MAX_DISCONNECTED_TIMEOUT_SECONDS });

const fleetWaveAnalysisSchema = object<FleetWaveAnalysis>({
  templates: rolloutAnalysisFields.templates,
  args: rolloutAnalysisFields.args,
  dryRun: rolloutAnalysisFields.dryRun,
  measurementRetention: rolloutAnalysisFields.measurementRetention,
  pooled: boolean(),
});

const fleetWaveSchema = object<FleetWaveSpec>({
  name: required(string({ problem: dns1123LabelProblem })),
  clusterSelector: labelSelectorSchema,
  maxParallel: maxParallelSchema,
  soakSeconds: integer({ min: 0, max: MAX_SOAK_SECONDS }),
  approval: oneOf(WAVE_APPROVALS),
  allowMissing: boolean(),
  disconnectedTimeoutSeconds: disconnectedTimeoutSchema(),
  analysis: fleetWaveAnalysisSchema,
});

export const fleetRolloutSpecSchema = object<FleetRolloutSpec>({
  rollout: required(
    object<FleetRolloutSpec['rollout']>({
      namespace: required(string({ problem: dns1123LabelProblem })),
      name: required(string({ problem: dns1123SubdomainProblem })),
    }),
  ),
  clusterSelector: labelSelectorSchema,
  disconnectedTimeoutSeconds: disconnectedTimeoutSchema(),
  waves: required(array(fleetWaveSchema, { minItems: 1, maxItems: MAX_FLEET_WAVES })),
  failurePolicy: oneOf(FAILURE_POLICIES),
});

// ---------------------------------------------------------------- freeze windows

/** A reason kept with every hold and refusal: bounded like operations' reasons, and storable. */
const reasonSchema = string({
  nonEmpty: true,
  problem: (text) =>
    text.length > MAX_REASON_LENGTH ? `must be at most ${MAX_REASON_LENGTH} characters, not ${text.length}` : unstorableTextProblem(text),
});

export const freezeWindowSpecSchema = object<FreezeWindowSpec>({
  reason: required(reasonSchema),
  schedule: string({ nonEmpty: true }),
  start: string(),
  end: string(),
  policy: oneOf(FREEZE_POLICIES),
  clusterSelector: labelSelectorSchema,
  namespaces: array(string({ problem: dns1123LabelProblem }), { minItems: 1, maxItems: MAX_FREEZE_NAMESPACES }),
});
