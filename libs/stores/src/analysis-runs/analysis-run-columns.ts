import type { AnalysisRunSpec } from '@flotilla/analysis';
import type { AnalysisTemplateSpec, RolloutAnalysis } from '@flotilla/argo-spec';
import { z } from 'zod';
import { objectColumn } from '../scope/json-column.js';
import type { MeasuredBy, ResolvedRun } from './run-resolution.js';

// The codecs of the analysis JSON columns. Where a type is the manifests' (a template spec, a rollout's analysis), the
// full check covers the top level and takes the manifest's deep parts as they are: manifests are validated when applied.

export const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** What a run's spec holds: the analysis the reconciler asked for and, once the run started, what it resolved to. */
export interface RunSpecDocument {
  analysis: RolloutAnalysis;
  stablePodTemplateHash: string | null;
  resolved?: ResolvedRun;
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
  }),
);

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
