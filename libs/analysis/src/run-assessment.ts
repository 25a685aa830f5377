import { assessMetric, breachedLimit } from './assessment.js';
import { isDryRunMetric } from './metric-rules.js';
import { isCompleted, type AnalysisPhase, type AnalysisRunSpec, type MetricResult, type RunSummary } from './run-types.js';

/** Completed phases from best to worst, as upstream's `analysisStatusOrder`. */
const PHASE_ORDER: readonly AnalysisPhase[] = ['Successful', 'Running', 'Pending', 'Inconclusive', 'Error', 'Failed'];

/** @example isWorse('Successful', 'Failed') === true */
export function isWorse(current: AnalysisPhase, candidate: AnalysisPhase): boolean {
  return PHASE_ORDER.indexOf(candidate) > PHASE_ORDER.indexOf(current);
}

export type RunSpecForAssessment = Pick<AnalysisRunSpec, 'metrics' | 'dryRun' | 'terminate'>;

/**
 * A run stops taking new measurements when asked to, or as soon as a metric that is not a dry run
 * ended Failed, Error or Inconclusive.
 * @example isTerminating({ metrics, dryRun: [] }, [{ ...result, phase: 'Failed' }]) === true
 */
export function isTerminating(spec: RunSpecForAssessment, results: readonly MetricResult[]): boolean {
  if (spec.terminate) return true;
  return results.some(
    (result) =>
      !isDryRunMetric(result.name, spec.dryRun) &&
      (result.phase === 'Failed' || result.phase === 'Error' || result.phase === 'Inconclusive'),
  );
}

export interface RunAssessment {
  phase: AnalysisPhase;
  /** Upstream's run message, e.g. `Metric "error-rate" assessed Failed due to failed (2) > failureLimit (1)`; empty when none. */
  message: string;
  /** The results with their assessed phases and messages. */
  metricResults: MetricResult[];
  runSummary: RunSummary;
  dryRunSummary: RunSummary;
}

function emptySummary(): RunSummary {
  return { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 };
}

function tally(summary: RunSummary, phase: AnalysisPhase | undefined): void {
  switch (phase) {
    case 'Failed':
      summary.failed += 1;
      return;
    case 'Error':
      summary.error += 1;
      return;
    case 'Inconclusive':
      summary.inconclusive += 1;
      return;
    default:
      summary.successful += 1;
  }
}

/**
 * The phase of a run from its metric results, as Argo's `assessRunStatus`: Running until every metric
 * completed, then the worst metric phase (Failed, then Error, then Inconclusive, then Successful).
 * Dry-run metrics are assessed and summarised apart but never change the run's phase. A terminating run
 * (asked to stop, or already failed) ends with the worst phase so far, Successful when nothing completed.
 * Whether the run is terminating is read from the results as given, so a metric that fails in this
 * assessment terminates the others at the next one, exactly as upstream.
 * @example
 * assessRun([{ ...newMetricResult('rate'), phase: 'Running', count: 2, failed: 2, measurements }],
 *   { metrics: [{ name: 'rate', failureLimit: 1, interval: '1m', provider }], dryRun: [] })
 * // { phase: 'Failed', message: 'Metric "rate" assessed Failed due to failed (2) > failureLimit (1)', … }
 */
export function assessRun(metricResults: readonly MetricResult[], spec: RunSpecForAssessment): RunAssessment {
  const terminating = isTerminating(spec, metricResults);
  const runSummary = emptySummary();
  const dryRunSummary = emptySummary();
  const assessed = new Map(metricResults.map((result) => [result.name, result]));
  let worstPhase: AnalysisPhase | undefined;
  let worstMessage = spec.terminate ? 'Run Terminated' : '';
  let everythingCompleted = true;

  for (const metric of spec.metrics) {
    const dryRun = isDryRunMetric(metric.name, spec.dryRun);
    const summary = dryRun ? dryRunSummary : runSummary;
    summary.count += 1;
    const stored = assessed.get(metric.name);
    if (!stored) {
      everythingCompleted = false;
      continue;
    }
    const { phase } = assessMetric(metric, stored, { terminating });
    let result = stored;
    if (phase !== stored.phase) {
      const lastMessage = stored.measurements.at(-1)?.message;
      result = { ...stored, phase, ...(stored.measurements.length > 0 ? { message: lastMessage } : {}) };
    }
    if (!isCompleted(phase)) {
      everythingCompleted = false;
    } else {
      const breach = breachedLimit(metric, result);
      if (dryRun) {
        worstPhase ??= 'Successful';
        if (breach) result = { ...result, message: `Metric assessed ${phase} due to ${breach.limitMessage}` };
      } else if (worstPhase === undefined || isWorse(worstPhase, phase)) {
        worstPhase = phase;
        if (breach) {
          const detail = result.message ? `: "Error Message: ${result.message}"` : '';
          worstMessage = `Metric "${metric.name}" assessed ${phase} due to ${breach.limitMessage}${detail}`;
        }
      }
      tally(summary, breach?.phase);
    }
    assessed.set(metric.name, result);
  }

  const outcome = { metricResults: metricResults.map((result) => assessed.get(result.name) ?? result), runSummary, dryRunSummary };
  const message = worstMessage.trim();
  if (terminating) return { phase: worstPhase ?? 'Successful', message, ...outcome };
  if (!everythingCompleted || worstPhase === undefined) return { phase: 'Running', message: '', ...outcome };
  return { phase: worstPhase, message, ...outcome };
}
