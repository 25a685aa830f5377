import type { BlueGreenStrategy, RolloutSpec } from '../types.js';
import { checkRolloutAnalysis } from './analysis-references.js';
import { checkAntiAffinity } from './anti-affinity-rules.js';
import { checkCanary } from './canary-rules.js';
import { childPath, type IssueList } from './issues.js';
import { checkSelectedPodTemplate } from './pod-templates.js';
import { isPresent, type Loose } from './schema.js';

/** Argo's defaults, used only to judge values that depend on them; documents are never filled in. */
const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
const DEFAULT_REVISION_HISTORY_LIMIT = 10;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** `isRfc3339('2024-05-01T10:00:00Z') === true`; `isRfc3339('2024-13-01T10:00:00Z') === false`. */
export function isRfc3339(text: string): boolean {
  const match = RFC3339.exec(text);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const offsetIsValid = match[9] === undefined || (Number(match[9]) < 24 && Number(match[10]) < 60);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour < 24 && minute < 60 && second < 60 && offsetIsValid;
}

function checkBlueGreen(blueGreen: Loose<BlueGreenStrategy>, spec: Loose<RolloutSpec>, path: string, issues: IssueList): void {
  if (blueGreen.activeService !== undefined && blueGreen.activeService === blueGreen.previewService) {
    issues.add(childPath(path, 'activeService'), 'must differ from previewService: two services are required');
  }
  const revisionHistoryLimit = spec.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT;
  if (blueGreen.scaleDownDelayRevisionLimit !== undefined && blueGreen.scaleDownDelayRevisionLimit > revisionHistoryLimit) {
    issues.add(
      childPath(path, 'scaleDownDelayRevisionLimit'),
      `must not exceed spec.revisionHistoryLimit (${revisionHistoryLimit}), not ${blueGreen.scaleDownDelayRevisionLimit}`,
    );
  }
  for (const field of ['prePromotionAnalysis', 'postPromotionAnalysis'] as const) {
    const analysis = blueGreen[field];
    if (analysis !== undefined) checkRolloutAnalysis(analysis, childPath(path, field), issues);
  }
  checkAntiAffinity(blueGreen.antiAffinity, childPath(path, 'antiAffinity'), issues);
}

/**
 * The meaning of a Rollout spec, once its shape has been checked, as Argo's controller validates it.
 * @example a canary step `{ setWeight: 20, pause: {} }` is reported at `spec.strategy.canary.steps[0]`
 *   because a step takes at most one of setWeight, pause, experiment and analysis.
 */
export function checkRolloutSpec(spec: Loose<RolloutSpec>, issues: IssueList): void {
  checkSelectedPodTemplate(spec.selector, spec.template, 'spec.selector', 'spec.template', issues);

  const minReadySeconds = spec.minReadySeconds ?? 0;
  const progressDeadlineSeconds = spec.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS;
  if (progressDeadlineSeconds <= minReadySeconds) {
    const defaulted = spec.progressDeadlineSeconds === undefined ? ' (the default)' : '';
    issues.add(
      'spec.progressDeadlineSeconds',
      `must be greater than minReadySeconds (${minReadySeconds}), not ${progressDeadlineSeconds}${defaulted}`,
    );
  }
  if (spec.restartAt !== undefined && !isRfc3339(spec.restartAt)) {
    issues.add('spec.restartAt', `"${spec.restartAt}" is not an RFC 3339 time such as "2024-05-01T10:00:00Z"`);
  }

  const strategy = spec.strategy;
  if (strategy === undefined) return;
  const strategies = (['canary', 'blueGreen'] as const).filter((name) => isPresent(strategy, name));
  if (strategies.length !== 1) {
    issues.add('spec.strategy', strategies.length === 0 ? 'must set canary or blueGreen' : 'must set only one of canary and blueGreen');
  }
  if (strategy.canary !== undefined) checkCanary(strategy.canary, 'spec.strategy.canary', issues);
  if (strategy.blueGreen !== undefined) checkBlueGreen(strategy.blueGreen, spec, 'spec.strategy.blueGreen', issues);
}
