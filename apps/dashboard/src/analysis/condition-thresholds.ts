export type ThresholdOperator = '>=' | '>' | '<=' | '<';

/** A condition of the form `result <op> number`, with the measured value on the left. */
export interface Threshold {
  operator: ThresholdOperator;
  value: number;
}

const RESULT = String.raw`(?:(?:asFloat|asInt)\(\s*)?result(?:\[\s*0\s*\])?(?:\s*\))?`;
const NUMBER = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?`;
const OPERATOR = '(>=|<=|>|<)';
const RESULT_FIRST = new RegExp(String.raw`^\s*${RESULT}\s*${OPERATOR}\s*(${NUMBER})\s*$`);
const NUMBER_FIRST = new RegExp(String.raw`^\s*(${NUMBER})\s*${OPERATOR}\s*${RESULT}\s*$`);
const MIRRORED: Record<ThresholdOperator, ThresholdOperator> = { '>=': '<=', '>': '<', '<=': '>=', '<': '>' };

/**
 * The threshold of a success or failure condition when it is a single comparison of the measured value (`result`,
 * `result[0]`, optionally inside `asFloat`/`asInt`) with a number; `undefined` for anything richer (`&&`, `len`,
 * fields of a map), which the chart then does not draw.
 * @example conditionThreshold('result[0] >= 0.95') → { operator: '>=', value: 0.95 }
 * @example conditionThreshold('0.05 > result') → { operator: '<', value: 0.05 }
 * @example conditionThreshold('result[0] >= 0.95 && result[1] < 1') → undefined
 */
export function conditionThreshold(condition: string | undefined): Threshold | undefined {
  if (condition === undefined) return undefined;
  const resultFirst = RESULT_FIRST.exec(condition);
  if (resultFirst) return { operator: resultFirst[1] as ThresholdOperator, value: Number(resultFirst[2]) };
  const numberFirst = NUMBER_FIRST.exec(condition);
  if (numberFirst) return { operator: MIRRORED[numberFirst[2] as ThresholdOperator], value: Number(numberFirst[1]) };
  return undefined;
}

/** The success and failure conditions of each metric of a run, read from its resolved spec. */
export interface MetricConditions {
  metricName: string;
  successCondition: string | undefined;
  failureCondition: string | undefined;
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

/**
 * The metrics of an analysis run's spec document: the resolved spec once the run started (templates merged), else
 * the inline metrics of the rollout's analysis, if any.
 */
export function metricConditionsOf(runSpec: unknown): MetricConditions[] {
  const document = record(runSpec);
  const metrics = record(record(document.resolved).spec).metrics;
  if (!Array.isArray(metrics)) return [];
  return metrics.map(record).flatMap((metric) => {
    const metricName = text(metric.name);
    return metricName
      ? [{ metricName, successCondition: text(metric.successCondition), failureCondition: text(metric.failureCondition) }]
      : [];
  });
}
