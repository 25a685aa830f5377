import type { AnalysisTemplateSpec, Metric, RolloutAnalysis } from '@flotilla/argo-spec';
import {
  ArgumentError,
  findSecretMarkers,
  mergeTemplates,
  resolveArguments,
  substituteArgs,
  TemplateMergeError,
  type AnalysisRunSpec,
} from '@flotilla/analysis';
import type { RunSpecDocument } from './analysis-run-columns.js';

export const MEASURE_FROM_ANNOTATION = 'flotilla.io/measure-from';

/** A template as stored, with the version the run will record. */
export interface StoredTemplate {
  name: string;
  clusterScope: boolean;
  version: number;
  annotations: Record<string, string>;
  spec: AnalysisTemplateSpec;
}

export type MeasuredBy = 'agent' | 'control-plane';

/** What a run measures, resolved once when it starts and kept in its spec. */
export interface ResolvedRun {
  /** Exactly which template versions the run was made from. */
  templates: { name: string; clusterScope: boolean; version: number }[];
  spec: AnalysisRunSpec;
  /** Where each metric is measured: in the cluster by default, centrally when its template says so. */
  measuredBy: Record<string, MeasuredBy>;
}

/** A metric of a started run, as its spec holds it once resolved; undefined before the run started. */
export function resolvedMetricOf(runSpec: RunSpecDocument, metricName: string): Metric | undefined {
  return runSpec.resolved?.spec.metrics.find((metric) => metric.name === metricName);
}

export interface RunContext {
  podTemplateHash: string;
  stablePodTemplateHash: string | undefined;
  /** Values for `fieldRef` arguments, such as `metadata.name`. */
  fieldValues: Record<string, string>;
}

/**
 * Merges the referenced templates and resolves every argument, as Argo does when it creates an AnalysisRun.
 * Secret arguments stay markers for the agent. Answers why when it cannot: a missing template, a conflicting
 * or missing argument, a secret needed by a metric measured centrally.
 * @example resolveRun({ templates: [{ templateName: 'success-rate' }], args: [{ name: 'service-name', value: 'checkout' }] }, …)
 */
export function resolveRun(
  analysis: RolloutAnalysis,
  stored: readonly (StoredTemplate | undefined)[],
  context: RunContext,
): ResolvedRun | string {
  const templates: StoredTemplate[] = [];
  for (const [index, template] of stored.entries()) {
    const reference = analysis.templates[index];
    if (!template)
      return `${reference?.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate'} ${reference?.templateName} not found`;
    templates.push(template);
  }
  const merged = mergeTemplates(
    templates.map((template) => ({ name: template.name, clusterScope: template.clusterScope, spec: template.spec })),
    analysis.args ?? [],
    { dryRun: analysis.dryRun ?? [], measurementRetention: analysis.measurementRetention ?? [] },
  );
  if (merged instanceof TemplateMergeError || merged instanceof ArgumentError) return merged.message;
  const values = resolveArguments(merged.args, [], {
    podTemplateHash: {
      latest: context.podTemplateHash,
      ...(context.stablePodTemplateHash ? { stable: context.stablePodTemplateHash } : {}),
    },
    fieldValues: context.fieldValues,
  });
  if (values instanceof ArgumentError) return values.message;
  const metrics = substituteArgs<Metric[]>(merged.metrics, values);
  if (metrics instanceof ArgumentError) return metrics.message;

  const measuredBy: Record<string, MeasuredBy> = {};
  for (const template of templates) {
    const central = template.annotations[MEASURE_FROM_ANNOTATION] === 'control-plane';
    for (const metric of template.spec.metrics) measuredBy[metric.name] = central ? 'control-plane' : 'agent';
  }
  for (const metric of metrics) {
    if (measuredBy[metric.name] === 'control-plane' && findSecretMarkers(JSON.stringify(metric.provider)).length > 0) {
      return `metric ${metric.name} is measured from the control plane but uses a secret argument, which only the cluster's agent may read`;
    }
  }
  return {
    templates: templates.map(({ name, clusterScope, version }) => ({ name, clusterScope, version })),
    spec: { ...merged, metrics },
    measuredBy,
  };
}
