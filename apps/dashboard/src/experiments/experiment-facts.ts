import type { Experiment, ExperimentAnalysis, RolloutRevision } from '../api/documents.js';

export interface ExperimentAnalysisRow extends ExperimentAnalysis {
  /** Whether the API lists the run it started, so that the run's page has something to show. */
  runListed: boolean;
}

/**
 * Each analysis of an experiment, with whether the run it started is listed yet.
 * @example analysisRows({ analyses: [{ name: 'compare', analysisRun: 'x-compare', phase: 'Running', message: '' }], analysisRuns: [{ id: '7', name: 'x-compare' }] })[0].runListed === true
 */
export function analysisRows(experiment: Pick<Experiment, 'analyses' | 'analysisRuns'>): ExperimentAnalysisRow[] {
  const runNames = new Set(experiment.analysisRuns.map((run) => run.name));
  return experiment.analyses.map((analysis) => ({ ...analysis, runListed: runNames.has(analysis.analysisRun) }));
}

/**
 * What started an experiment: the rollout step, numbered as the steps card numbers it, and the revision it tried.
 * @example experimentOrigin({ stepIndex: 1, podTemplateHash: '6c8f9d' }, [{ revision: 2, podTemplateHash: '6c8f9d' }]) === 'step 2 of revision 2'
 * @example experimentOrigin({ stepIndex: 1, podTemplateHash: '6c8f9d' }, []) === 'step 2 of 6c8f9d'
 */
export function experimentOrigin(
  experiment: Pick<Experiment, 'stepIndex' | 'podTemplateHash'>,
  revisions: Pick<RolloutRevision, 'revision' | 'podTemplateHash'>[],
): string {
  if (experiment.stepIndex === null) return 'standalone';
  const step = `step ${experiment.stepIndex + 1}`;
  if (experiment.podTemplateHash === null) return step;
  const revision = revisions.find((candidate) => candidate.podTemplateHash === experiment.podTemplateHash);
  return `${step} of ${revision ? `revision ${revision.revision}` : experiment.podTemplateHash}`;
}

export interface ExperimentMoment {
  label: 'started' | 'available' | 'finished' | 'released';
  iso: string;
}

/**
 * The moments an experiment has reached, in the order they happen: created, every template running (its duration
 * counts from then), completed, and nothing of it left in its cluster.
 * @example experimentMoments({ createdAt: 'T0', availableAt: 'T1', finishedAt: null, releasedAt: null }) → [{ label: 'started', iso: 'T0' }, { label: 'available', iso: 'T1' }]
 */
export function experimentMoments(
  experiment: Pick<Experiment, 'createdAt' | 'availableAt' | 'finishedAt' | 'releasedAt'>,
): ExperimentMoment[] {
  const moments: [ExperimentMoment['label'], string | null][] = [
    ['started', experiment.createdAt],
    ['available', experiment.availableAt],
    ['finished', experiment.finishedAt],
    ['released', experiment.releasedAt],
  ];
  return moments.flatMap(([label, iso]) => (iso === null ? [] : [{ label, iso }]));
}
