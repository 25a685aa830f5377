/** Upstream's defaults for `spec.analysis.successfulRunHistoryLimit` and `unsuccessfulRunHistoryLimit`. */
export const DEFAULT_SUCCESSFUL_RUN_HISTORY_LIMIT = 5;
export const DEFAULT_UNSUCCESSFUL_RUN_HISTORY_LIMIT = 5;

export interface RunHistoryLimits {
  successful: number;
  unsuccessful: number;
}

/** A rollout's limits on the finished runs and experiments it lists, upstream's defaults where it sets none. */
export function runHistoryLimits(
  analysis: { successfulRunHistoryLimit?: number; unsuccessfulRunHistoryLimit?: number } | undefined,
): RunHistoryLimits {
  return {
    successful: analysis?.successfulRunHistoryLimit ?? DEFAULT_SUCCESSFUL_RUN_HISTORY_LIMIT,
    unsuccessful: analysis?.unsuccessfulRunHistoryLimit ?? DEFAULT_UNSUCCESSFUL_RUN_HISTORY_LIMIT,
  };
}

const UNSUCCESSFUL = new Set(['Failed', 'Error', 'Inconclusive']);

/**
 * The analysis runs (or experiments) a rollout lists, from its runs newest first: the newest `successful` Successful
 * ones and the newest `unsuccessful` Failed, Error or Inconclusive ones, and every other one (not finished), in the
 * order given. These are the ones upstream keeps when it deletes the rest.
 * @example listedRuns([{ phase: 'Successful' }, { phase: 'Running' }, { phase: 'Successful' }], { successful: 1, unsuccessful: 1 })
 * // [{ phase: 'Successful' }, { phase: 'Running' }]
 */
export function listedRuns<Run extends { phase: string }>(newestFirst: readonly Run[], limits: RunHistoryLimits): Run[] {
  let successful = 0;
  let unsuccessful = 0;
  return newestFirst.filter((run) => {
    if (run.phase === 'Successful') return ++successful <= limits.successful;
    if (UNSUCCESSFUL.has(run.phase)) return ++unsuccessful <= limits.unsuccessful;
    return true;
  });
}
