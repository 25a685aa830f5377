import type { ExperimentAnalysisTemplateRef } from '@flotilla/argo-spec';
import type {
  AnalysisRunPhase,
  ExperimentAnalysisRunStatus,
  ExperimentPhase,
  ExperimentTemplateStatus,
  ExperimentTemplateStatusCode,
} from '../types.js';

/** Upstream's order of template statuses, best first. */
const TEMPLATE_ORDER: readonly ExperimentTemplateStatusCode[] = ['Successful', 'Running', 'Progressing', 'Error', 'Failed'];
/** Upstream's order of analysis phases, best first. */
const ANALYSIS_ORDER: readonly AnalysisRunPhase[] = ['Pending', 'Running', 'Successful', 'Inconclusive', 'Error', 'Failed'];

export const isCompleted = (phase: ExperimentPhase | AnalysisRunPhase): boolean => phase !== 'Pending' && phase !== 'Running';

export const isTemplateCompleted = (status: ExperimentTemplateStatusCode): boolean =>
  status === 'Successful' || status === 'Failed' || status === 'Error';

export interface Assessment {
  phase: ExperimentPhase;
  message: string;
}

/** The worst template status as an experiment phase: Progressing is Pending, a missing status counts as Progressing. */
export function assessTemplates(names: readonly string[], statuses: readonly ExperimentTemplateStatus[]): Assessment {
  let worst: ExperimentTemplateStatusCode = 'Successful';
  let message = '';
  for (const name of names) {
    const status = statuses.find((candidate) => candidate.name === name);
    const code = status?.status ?? 'Progressing';
    if (TEMPLATE_ORDER.indexOf(code) > TEMPLATE_ORDER.indexOf(worst)) {
      worst = code;
      message = status?.message ?? '';
    }
  }
  return { phase: worst === 'Progressing' ? 'Pending' : worst, message };
}

export function requiredAnalysesSuccessful(
  analyses: readonly ExperimentAnalysisTemplateRef[],
  runs: readonly ExperimentAnalysisRunStatus[],
): boolean {
  const required = analyses.filter((analysis) => analysis.requiredForCompletion === true);
  return required.length > 0 && required.every((analysis) => runs.find((run) => run.name === analysis.name)?.phase === 'Successful');
}

/**
 * The worst completed analysis phase, Successful when none failed: as upstream ranks phases, a Pending or Running run
 * is not worse than Successful, so a passed duration ends the experiment while its analyses still run.
 */
export function assessAnalyses(
  analyses: readonly ExperimentAnalysisTemplateRef[],
  runs: readonly ExperimentAnalysisRunStatus[],
): Assessment {
  let worst: AnalysisRunPhase = 'Successful';
  let message = '';
  for (const analysis of analyses) {
    const run = runs.find((candidate) => candidate.name === analysis.name);
    const phase = run?.phase ?? 'Pending';
    if (ANALYSIS_ORDER.indexOf(phase) > ANALYSIS_ORDER.indexOf(worst)) {
      worst = phase;
      message = run?.message ?? '';
    }
  }
  return { phase: worst, message };
}
