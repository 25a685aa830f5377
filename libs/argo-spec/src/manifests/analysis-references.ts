import isSafeRegex from 'safe-regex2';
import { MAX_METRIC_NAME_PATTERN_LENGTH } from '../limits.js';
import type { AnalysisRunArgument, DryRun, MeasurementRetention, RolloutAnalysis } from '../types.js';
import { childPath, indexPath, type IssueList } from './issues.js';
import type { Loose } from './schema.js';
import { checkUniqueNames } from './unique-names.js';

const METADATA_FIELD_PATH = /^metadata\.(name|namespace|uid|labels\['[^']+'\]|annotations\['[^']+'\])$/;

/** Arguments a rollout or experiment passes to its templates: unique names, and a value from exactly one place. */
export function checkRunArguments(args: Loose<AnalysisRunArgument[]> | undefined, path: string, issues: IssueList): void {
  checkUniqueNames(args, path, 'argument', issues);
  (args ?? []).forEach((argument, index) => {
    if (argument === undefined) return;
    const argumentPath = indexPath(path, index);
    if (argument.value !== undefined && argument.valueFrom !== undefined) {
      issues.add(argumentPath, 'must set only one of value and valueFrom');
    }
    const valueFrom = argument.valueFrom;
    if (valueFrom === undefined) return;
    const sources = [valueFrom.podTemplateHashValue, valueFrom.fieldRef].filter((source) => source !== undefined);
    if (sources.length !== 1) {
      issues.add(childPath(argumentPath, 'valueFrom'), 'must set exactly one of podTemplateHashValue and fieldRef');
    }
    const fieldPath = valueFrom.fieldRef?.fieldPath;
    if (fieldPath?.startsWith('metadata') === true && !METADATA_FIELD_PATH.test(fieldPath)) {
      issues.add(
        childPath(childPath(childPath(argumentPath, 'valueFrom'), 'fieldRef'), 'fieldPath'),
        `"${fieldPath}" is not a metadata field the downward API supports (metadata.name, metadata.namespace, metadata.uid, metadata.labels['key'], metadata.annotations['key'])`,
      );
    }
  });
}

/** Compiles a metric-name rule; Argo matches these as unanchored regular expressions. */
export function metricNamePattern(metricName: string): RegExp | undefined {
  try {
    return new RegExp(metricName);
  } catch {
    return undefined;
  }
}

/**
 * dryRun and measurementRetention rules: unique, valid patterns, and, when the metrics are known,
 * each rule must match at least one of them as Argo requires.
 */
export function checkMetricRules(
  rules: readonly (Loose<DryRun> | Loose<MeasurementRetention> | undefined)[] | undefined,
  path: string,
  knownMetricNames: readonly string[] | undefined,
  issues: IssueList,
): void {
  const seen = new Set<string>();
  (rules ?? []).forEach((rule, index) => {
    const metricName = rule?.metricName;
    if (metricName === undefined) return;
    const metricNamePath = childPath(indexPath(path, index), 'metricName');
    if (seen.has(metricName)) issues.add(metricNamePath, `duplicate rule for "${metricName}"`);
    seen.add(metricName);
    if (metricName.length > MAX_METRIC_NAME_PATTERN_LENGTH) {
      issues.add(metricNamePath, `must be at most ${MAX_METRIC_NAME_PATTERN_LENGTH} characters long`);
      return;
    }
    const pattern = metricNamePattern(metricName);
    if (pattern === undefined) {
      issues.add(metricNamePath, `"${metricName}" is not a valid regular expression`);
    } else if (!isSafeRegex(pattern)) {
      // Go's regexp runs in linear time whatever the pattern; JavaScript's backtracks, and nested repetition such as
      // (a+)+ would take exponential time on a long enough metric name.
      issues.add(metricNamePath, `"${metricName}" repeats a repetition (such as (a+)+), which could take exponential time to match`);
    } else if (knownMetricNames !== undefined && !knownMetricNames.some((known) => pattern.test(known))) {
      issues.add(metricNamePath, `"${metricName}" matches none of the metrics (${knownMetricNames.join(', ')})`);
    }
  });
}

/** The analysis blocks of a rollout (background, step, pre- and post-promotion). */
export function checkRolloutAnalysis(analysis: Loose<RolloutAnalysis>, path: string, issues: IssueList): void {
  checkRunArguments(analysis.args, childPath(path, 'args'), issues);
  checkMetricRules(analysis.dryRun, childPath(path, 'dryRun'), undefined, issues);
  checkMetricRules(analysis.measurementRetention, childPath(path, 'measurementRetention'), undefined, issues);
}
