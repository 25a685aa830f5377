import type { AnalysisRunSpec } from '@flotilla/analysis';
import type { AnalysisTemplateSpec, RolloutAnalysis } from '@flotilla/argo-spec';
import { z } from 'zod';
import { JsonColumnError, objectColumn, type JsonColumn } from '../scope/json-column.js';
import type { MeasuredBy, ResolvedRun } from './run-resolution.js';

// The codecs of the analysis JSON columns. Where a type is the manifests' (a template spec, a rollout's analysis), the
// full check covers the top level and takes the manifest's deep parts as they are: manifests are validated when applied.

export const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Which wave of a fleet release a run is for: the pooled run (`cluster` null) or one cluster's own, of an attempt. */
export interface FleetWaveOfRun {
  wave: string;
  cluster: string | null;
  attempt: number;
}

/** What a run's spec holds: the analysis the reconciler asked for and, once the run started, what it resolved to. */
export interface RunSpecDocument {
  analysis: RolloutAnalysis;
  stablePodTemplateHash: string | null;
  resolved?: ResolvedRun;
  /** Set for a fleet release's run. */
  fleetWave?: FleetWaveOfRun;
}

const resolvedRunSchema: z.ZodType<ResolvedRun> = z.object({
  templates: z.array(z.object({ name: z.string(), clusterScope: z.boolean(), version: z.number().int() })),
  spec: z.custom<AnalysisRunSpec>((spec) => isJsonObject(spec) && Array.isArray(spec.metrics), 'a run spec with metrics'),
  measuredBy: z.record(z.string(), z.enum(['agent', 'control-plane'] satisfies MeasuredBy[])),
});

/** `AnalysisRun.spec -> 'resolved'`, read on its own by the measurements' hot path. */
export const resolvedRunColumn = objectColumn<ResolvedRun>(
  'AnalysisRun.spec.resolved',
  ['templates', 'spec', 'measuredBy'],
  resolvedRunSchema,
);

/** `AnalysisRun.spec`. */
export const runSpecColumn = objectColumn<RunSpecDocument>(
  'AnalysisRun.spec',
  ['analysis', 'stablePodTemplateHash'],
  z.object({
    analysis: z.custom<RolloutAnalysis>(
      (analysis) => isJsonObject(analysis) && Array.isArray(analysis.templates),
      'an analysis with templates',
    ),
    stablePodTemplateHash: z.string().nullable(),
    resolved: resolvedRunSchema.optional(),
    fleetWave: z.object({ wave: z.string(), cluster: z.string().nullable(), attempt: z.number().int() }).optional(),
  }),
);

const pooledClustersSchema = z.array(z.object({ id: z.string(), name: z.string() }));

/** `AnalysisRun.pooledClusters`: a pooled run's clusters, in name order; a few entries, checked whole when read. */
export const pooledClustersColumn: JsonColumn<{ id: string; name: string }[]> = {
  column: 'AnalysisRun.pooledClusters',
  encode: (value) => value,
  decode: (json) => pooledClustersColumn.validate(json),
  validate(json) {
    const parsed = pooledClustersSchema.safeParse(json);
    if (parsed.success) return parsed.data;
    throw new JsonColumnError('AnalysisRun.pooledClusters', parsed.error.issues[0]?.message ?? 'invalid');
  },
};

/** `AnalysisTemplate.spec` and `ClusterAnalysisTemplate.spec`. */
export const templateSpecColumn = objectColumn<AnalysisTemplateSpec>(
  'AnalysisTemplate.spec',
  ['metrics'],
  z.custom<AnalysisTemplateSpec>((spec) => isJsonObject(spec) && Array.isArray(spec.metrics), 'a template spec with metrics'),
);

/** `AnalysisTemplate.annotations` and `ClusterAnalysisTemplate.annotations`: metadata.annotations. */
export const templateAnnotationsColumn = objectColumn<Record<string, string>>(
  'AnalysisTemplate.annotations',
  [],
  z.record(z.string(), z.string()),
);
