/**
 * The Argo Rollouts resource kinds (`argoproj.io/v1alpha1`) as teams write them.
 * Field names and optionality follow the upstream CRDs so that manifests are accepted unchanged.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Kubernetes `IntOrString`: an absolute count (`2`) or a percentage (`"25%"`). */
export type IntOrString = number | string;

export const ARGO_API_VERSION = 'argoproj.io/v1alpha1';

export interface ObjectMeta {
  name?: string;
  /** Accepted on Experiments only: each apply creates one named `<generateName><5 random characters>`. */
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface Container {
  name: string;
  image?: string;
  [field: string]: JsonValue | undefined;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  [field: string]: JsonValue | Container[] | undefined;
}

export interface PodTemplateSpec {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

/** Labels and annotations added to pods of one side of a release while it has that role. */
export interface PodTemplateMetadata {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

// ---------------------------------------------------------------- analysis references

export interface FieldRef {
  fieldPath: string;
}

export interface SecretKeyRef {
  name: string;
  key: string;
}

export type PodTemplateHashValue = 'Stable' | 'Latest';

/** An argument passed by a rollout or experiment to the templates it runs. */
export interface AnalysisRunArgument {
  name: string;
  value?: string;
  valueFrom?: { podTemplateHashValue?: PodTemplateHashValue; fieldRef?: FieldRef };
}

/** An argument declared by a template; it may default or come from a Secret in the cluster. */
export interface TemplateArgument {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: SecretKeyRef; fieldRef?: FieldRef };
}

export interface AnalysisTemplateRef {
  templateName: string;
  clusterScope?: boolean;
}

export interface DryRun {
  metricName: string;
}

export interface MeasurementRetention {
  metricName: string;
  limit: number;
}

export interface RolloutAnalysis {
  templates: AnalysisTemplateRef[];
  args?: AnalysisRunArgument[];
  dryRun?: DryRun[];
  measurementRetention?: MeasurementRetention[];
  analysisRunMetadata?: PodTemplateMetadata;
}

export interface RolloutAnalysisBackground extends RolloutAnalysis {
  startingStep?: number;
}

// ---------------------------------------------------------------- canary

export interface RolloutPause {
  /** Seconds as a number or a string such as `"30"`, `"10s"`, `"5m"`, `"1h"`; absent means until promoted. */
  duration?: IntOrString;
}

export interface SetCanaryScale {
  weight?: number;
  replicas?: number;
  matchTrafficWeight?: boolean;
}

export interface StringMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
}

export interface HeaderRoutingMatch {
  headerName: string;
  headerValue: StringMatch;
}

export interface SetHeaderRoute {
  name: string;
  match?: HeaderRoutingMatch[];
}

export interface RouteMatch {
  method?: StringMatch;
  path?: StringMatch;
  headers?: Record<string, StringMatch>;
}

export interface SetMirrorRoute {
  name: string;
  match?: RouteMatch[];
  percentage?: number;
}

export interface RolloutExperimentTemplate {
  name: string;
  specRef: 'stable' | 'canary';
  replicas?: number;
  weight?: number;
  metadata?: PodTemplateMetadata;
  selector?: LabelSelector;
  service?: { name?: string };
}

export interface RolloutExperimentStepAnalysisTemplateRef {
  name: string;
  templateName: string;
  clusterScope?: boolean;
  args?: AnalysisRunArgument[];
  requiredForCompletion?: boolean;
}

export interface RolloutExperimentStep {
  templates: RolloutExperimentTemplate[];
  duration?: string;
  analyses?: RolloutExperimentStepAnalysisTemplateRef[];
  dryRun?: DryRun[];
  /** How long the experiment's ReplicaSets stay up once it has ended (default 30). */
  scaleDownDelaySeconds?: number;
}

/**
 * At least one field is set per step, and at most one of setWeight, pause, experiment and analysis; setCanaryScale,
 * setHeaderRoute and setMirrorRoute may join any of them.
 */
export interface CanaryStep {
  setWeight?: number;
  pause?: RolloutPause;
  experiment?: RolloutExperimentStep;
  analysis?: RolloutAnalysis;
  setCanaryScale?: SetCanaryScale;
  setHeaderRoute?: SetHeaderRoute;
  setMirrorRoute?: SetMirrorRoute;
}

export interface NginxTrafficRouting {
  stableIngress?: string;
  stableIngresses?: string[];
  annotationPrefix?: string;
  additionalIngressAnnotations?: Record<string, string>;
  canaryIngressAnnotations?: Record<string, string>;
}

export interface IstioVirtualService {
  name: string;
  routes?: string[];
  tlsRoutes?: { port?: number; sniHosts?: string[] }[];
  tcpRoutes?: { port?: number }[];
}

export interface IstioDestinationRule {
  name: string;
  canarySubsetName: string;
  stableSubsetName: string;
}

export interface IstioTrafficRouting {
  virtualService?: IstioVirtualService;
  virtualServices?: IstioVirtualService[];
  destinationRule?: IstioDestinationRule;
}

export interface SmiTrafficRouting {
  rootService?: string;
  trafficSplitName?: string;
}

export interface GatewayApiTrafficRouting {
  httpRoute?: string;
  httpRoutes?: { name: string; useHeaderRoutes?: boolean }[];
  namespace?: string;
}

export const GATEWAY_API_PLUGIN = 'argoproj-labs/gatewayAPI';

export interface RolloutTrafficRouting {
  nginx?: NginxTrafficRouting;
  istio?: IstioTrafficRouting;
  smi?: SmiTrafficRouting;
  plugins?: { [GATEWAY_API_PLUGIN]?: GatewayApiTrafficRouting; [plugin: string]: JsonValue | GatewayApiTrafficRouting | undefined };
  managedRoutes?: { name: string }[];
  maxTrafficWeight?: number;
}

export interface AntiAffinity {
  preferredDuringSchedulingIgnoredDuringExecution?: { weight: number };
  requiredDuringSchedulingIgnoredDuringExecution?: Record<string, never>;
}

export interface CanaryStrategy {
  canaryService?: string;
  stableService?: string;
  steps?: CanaryStep[];
  trafficRouting?: RolloutTrafficRouting;
  maxUnavailable?: IntOrString;
  maxSurge?: IntOrString;
  analysis?: RolloutAnalysisBackground;
  antiAffinity?: AntiAffinity;
  canaryMetadata?: PodTemplateMetadata;
  stableMetadata?: PodTemplateMetadata;
  scaleDownDelaySeconds?: number;
  scaleDownDelayRevisionLimit?: number;
  abortScaleDownDelaySeconds?: number;
  dynamicStableScale?: boolean;
  minPodsPerReplicaSet?: number;
  replicaProgressThreshold?: { type: 'Pod' | 'Percent'; value: number };
}

// ---------------------------------------------------------------- blue-green

export interface BlueGreenStrategy {
  activeService: string;
  previewService?: string;
  previewReplicaCount?: number;
  autoPromotionEnabled?: boolean;
  autoPromotionSeconds?: number;
  maxUnavailable?: IntOrString;
  scaleDownDelaySeconds?: number;
  scaleDownDelayRevisionLimit?: number;
  abortScaleDownDelaySeconds?: number;
  prePromotionAnalysis?: RolloutAnalysis;
  postPromotionAnalysis?: RolloutAnalysis;
  previewMetadata?: PodTemplateMetadata;
  activeMetadata?: PodTemplateMetadata;
  antiAffinity?: AntiAffinity;
}

export interface RolloutStrategy {
  canary?: CanaryStrategy;
  blueGreen?: BlueGreenStrategy;
}

/**
 * What the agent does on its own while the control plane is unreachable. Not part of Argo:
 * read from the `flotilla.io/hub-loss-*` annotations of a Rollout (see docs/differences-from-argo.md).
 */
export interface HubLossPolicy {
  action: 'hold' | 'rollback-to-stable';
  afterSeconds: number;
}

export interface RolloutSpec {
  replicas?: number;
  selector: LabelSelector;
  template: PodTemplateSpec;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
  progressDeadlineAbort?: boolean;
  restartAt?: string;
  rollbackWindow?: { revisions: number };
  analysis?: { successfulRunHistoryLimit?: number; unsuccessfulRunHistoryLimit?: number };
  strategy: RolloutStrategy;
}

// ---------------------------------------------------------------- analysis templates

/** A range query: `start` and `end` are time expressions such as `now() - duration("1h")`, `step` a Go duration. */
export interface PrometheusRangeQuery {
  start?: string;
  end?: string;
  step?: string;
}

/** AWS Signature Version 4 for Amazon Managed Prometheus. */
export interface PrometheusSigV4 {
  region?: string;
  profile?: string;
  roleArn?: string;
}

export interface PrometheusOAuth2 {
  tokenUrl?: string;
  clientId?: string;
  clientSecret?: string;
  scopes?: string[];
}

export interface PrometheusAuthentication {
  sigv4?: PrometheusSigV4;
  oauth2?: PrometheusOAuth2;
}

export interface PrometheusProvider {
  address: string;
  query: string;
  timeout?: number;
  insecure?: boolean;
  headers?: { key: string; value: string }[];
  authentication?: PrometheusAuthentication;
  rangeQuery?: PrometheusRangeQuery;
}

export interface WebProvider {
  url: string;
  method?: 'GET' | 'POST' | 'PUT';
  headers?: { key: string; value: string }[];
  body?: string;
  jsonBody?: JsonValue;
  timeoutSeconds?: number;
  jsonPath?: string;
  insecure?: boolean;
}

export interface JobProvider {
  metadata?: PodTemplateMetadata;
  spec: JsonObject;
}

export interface DatadogProvider {
  interval?: string;
  query?: string;
  queries?: Record<string, string>;
  formula?: string;
  apiVersion?: 'v1' | 'v2';
  aggregator?: string;
  /** The Secret with `api-key`, `app-key` and optional `address`; with `namespaced` it lives in the run's namespace. */
  secretRef?: { name?: string; namespaced?: boolean };
  /** Go duration; 10s when left out. */
  requestTimeout?: string;
}

export interface NewRelicProvider {
  profile?: string;
  query: string;
  /** Seconds the NRQL query may run; 5 when left out. */
  timeout?: number;
}

export interface WavefrontProvider {
  address?: string;
  query: string;
}

export interface GraphiteProvider {
  address: string;
  query: string;
}

export interface InfluxdbProvider {
  profile?: string;
  query: string;
}

export interface CloudWatchProvider {
  interval?: string;
  metricDataQueries: JsonObject[];
}

export interface KayentaProvider {
  address: string;
  application: string;
  canaryConfigName: string;
  metricsAccountName: string;
  configurationAccountName: string;
  storageAccountName: string;
  threshold: { pass: number; marginal: number };
  scopes: JsonObject[];
}

export interface SkywalkingProvider {
  address: string;
  query: string;
  interval?: string;
}

export interface MetricProvider {
  prometheus?: PrometheusProvider;
  web?: WebProvider;
  job?: JobProvider;
  datadog?: DatadogProvider;
  newRelic?: NewRelicProvider;
  wavefront?: WavefrontProvider;
  graphite?: GraphiteProvider;
  influxdb?: InfluxdbProvider;
  cloudWatch?: CloudWatchProvider;
  kayenta?: KayentaProvider;
  skywalking?: SkywalkingProvider;
}

export const METRIC_PROVIDER_NAMES = [
  'prometheus',
  'web',
  'job',
  'datadog',
  'newRelic',
  'wavefront',
  'graphite',
  'influxdb',
  'cloudWatch',
  'kayenta',
  'skywalking',
] as const satisfies readonly (keyof MetricProvider)[];

export type MetricProviderName = (typeof METRIC_PROVIDER_NAMES)[number];

export interface Metric {
  name: string;
  /** Go duration string, such as `"30s"` or `"5m"`. */
  interval?: string;
  initialDelay?: string;
  count?: IntOrString;
  successCondition?: string;
  failureCondition?: string;
  failureLimit?: IntOrString;
  inconclusiveLimit?: IntOrString;
  consecutiveErrorLimit?: IntOrString;
  consecutiveSuccessLimit?: IntOrString;
  provider: MetricProvider;
}

export interface AnalysisTemplateSpec {
  args?: TemplateArgument[];
  metrics: Metric[];
  dryRun?: DryRun[];
  measurementRetention?: MeasurementRetention[];
}

// ---------------------------------------------------------------- experiments

export interface ExperimentTemplate {
  name: string;
  replicas?: number;
  minReadySeconds?: number;
  selector: LabelSelector;
  template: PodTemplateSpec;
  service?: { name?: string };
  weight?: number;
}

export interface ExperimentAnalysisTemplateRef {
  name: string;
  templateName: string;
  clusterScope?: boolean;
  args?: AnalysisRunArgument[];
  requiredForCompletion?: boolean;
}

export interface ExperimentSpec {
  duration?: string;
  progressDeadlineSeconds?: number;
  templates: ExperimentTemplate[];
  analyses?: ExperimentAnalysisTemplateRef[];
  terminate?: boolean;
  scaleDownDelaySeconds?: number;
  dryRun?: DryRun[];
  measurementRetention?: MeasurementRetention[];
}

// ---------------------------------------------------------------- documents

interface ArgoDocument<K extends string, S, M extends ObjectMeta = ObjectMeta & { name: string }> {
  apiVersion: typeof ARGO_API_VERSION;
  kind: K;
  metadata: M;
  spec: S;
}

/** An Experiment has a name, or a `generateName` from which it is given a new one each time it is applied. */
export type ExperimentMetadata = ObjectMeta & ({ name: string } | { name?: undefined; generateName: string });

export type RolloutManifest = ArgoDocument<'Rollout', RolloutSpec>;
export type AnalysisTemplateManifest = ArgoDocument<'AnalysisTemplate', AnalysisTemplateSpec>;
export type ClusterAnalysisTemplateManifest = ArgoDocument<'ClusterAnalysisTemplate', AnalysisTemplateSpec>;
export type ExperimentManifest = ArgoDocument<'Experiment', ExperimentSpec, ExperimentMetadata>;

export type ArgoManifest = RolloutManifest | AnalysisTemplateManifest | ClusterAnalysisTemplateManifest | ExperimentManifest;

export type ArgoKind = ArgoManifest['kind'];

export const ARGO_KINDS = ['Rollout', 'AnalysisTemplate', 'ClusterAnalysisTemplate', 'Experiment'] as const satisfies readonly ArgoKind[];
