import type { AnalysisRunKind, AnalysisRunPhase, AnalysisRunState } from '@flotilla/rollout-engine';

/** The columns of a stored analysis run that the rollout engine and the experiment controller read. */
export interface StoredRunState {
  name: string;
  kind: string;
  podTemplateHash: string | null;
  stepIndex: number | null;
  phase: string;
  message: string;
}

/** A stored analysis run as the engines read it. */
export const analysisRunState = (run: StoredRunState): AnalysisRunState => ({
  name: run.name,
  kind: run.kind as AnalysisRunKind,
  podTemplateHash: run.podTemplateHash ?? '',
  stepIndex: run.stepIndex ?? undefined,
  phase: run.phase as AnalysisRunPhase,
  message: run.message,
});
