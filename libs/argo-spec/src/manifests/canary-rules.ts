import { pauseDurationSeconds } from '../duration.js';
import { type CanaryStep, type CanaryStrategy, GATEWAY_API_PLUGIN, type StringMatch } from '../types.js';
import { checkRolloutAnalysis, checkRunArguments } from './analysis-references.js';
import { quoted } from '../kubernetes-names.js';
import { MAX_INT32 } from '../limits.js';
import { checkAntiAffinity } from './anti-affinity-rules.js';
import { checkGoDuration } from './durations.js';
import { childPath, indexPath, type IssueList } from './issues.js';
import { intOrStringValue, isPresent, type Loose } from './schema.js';
import { checkTrafficRouting, routingNeedsServices } from './traffic-routing-rules.js';
import { checkUniqueNames } from './unique-names.js';

/** Argo's defaults, used only to judge values that depend on them; documents are never filled in. */
const DEFAULT_CANARY_MAX_SURGE = '25%';
const DEFAULT_CANARY_MAX_UNAVAILABLE = '25%';
const DEFAULT_MAX_TRAFFIC_WEIGHT = 100;

/** Every field a step may set; it must set at least one. */
const STEP_FIELDS = [
  'setWeight',
  'pause',
  'experiment',
  'analysis',
  'setCanaryScale',
  'setHeaderRoute',
  'setMirrorRoute',
] as const satisfies readonly (keyof CanaryStep)[];

/** The fields of which a step sets at most one, as upstream; the others combine with them and with each other. */
const EXCLUSIVE_STEP_FIELDS = ['setWeight', 'pause', 'experiment', 'analysis'] as const satisfies readonly (keyof CanaryStep)[];

const STRING_MATCH_FIELDS = ['exact', 'prefix', 'regex'] as const satisfies readonly (keyof StringMatch)[];

/** Upstream counts a match value only when it is a non-empty string: `{ exact: '' }` matches nothing. */
function checkStringMatch(match: Loose<StringMatch> | undefined, path: string, issues: IssueList): void {
  if (match === undefined) return;
  const values = STRING_MATCH_FIELDS.filter((field) => isPresent(match, field) && match[field] !== '');
  if (values.length === 0) issues.add(path, 'must set one of exact, prefix and regex');
  else if (values.length > 1) issues.add(path, `sets ${values.join(' and ')}; a match takes exactly one of exact, prefix and regex`);
}

interface CanaryContext {
  canary: Loose<CanaryStrategy>;
  path: string;
  issues: IssueList;
}

function checkStep(step: Loose<CanaryStep>, stepPath: string, { canary, path, issues }: CanaryContext): void {
  const routing = canary.trafficRouting;
  const fields = STEP_FIELDS.filter((field) => isPresent(step, field));
  if (fields.length === 0) issues.add(stepPath, `must set at least one of ${STEP_FIELDS.join(', ')}`);
  const exclusive = EXCLUSIVE_STEP_FIELDS.filter((field) => isPresent(step, field));
  if (exclusive.length > 1) {
    issues.add(stepPath, `sets ${exclusive.join(' and ')}; a step takes at most one of ${EXCLUSIVE_STEP_FIELDS.join(', ')}`);
  }

  const maxWeight = routing?.maxTrafficWeight ?? DEFAULT_MAX_TRAFFIC_WEIGHT;
  if (step.setWeight !== undefined && step.setWeight > maxWeight) {
    issues.add(childPath(stepPath, 'setWeight'), `must be between 0 and ${maxWeight}, not ${step.setWeight}`);
  }

  const duration = step.pause?.duration;
  if (duration !== undefined) {
    const seconds = pauseDurationSeconds(duration);
    const durationPath = childPath(childPath(stepPath, 'pause'), 'duration');
    if (seconds === undefined)
      issues.add(
        durationPath,
        `${typeof duration === 'string' ? quoted(duration) : duration} is not a number of seconds or a duration such as "30s"`,
      );
    else if (seconds < 0) issues.add(durationPath, `must be non-negative, not ${JSON.stringify(duration)}`);
    else if (seconds > MAX_INT32)
      issues.add(
        durationPath,
        `must be at most ${MAX_INT32} seconds (about 68 years), not ${typeof duration === 'string' ? quoted(duration) : duration}`,
      );
  }

  const scale = step.setCanaryScale;
  if (scale !== undefined) {
    if (routing === undefined) issues.add(childPath(stepPath, 'setCanaryScale'), 'requires spec.strategy.canary.trafficRouting');
  }

  const headerRoute = step.setHeaderRoute;
  if (headerRoute !== undefined) {
    const routePath = childPath(stepPath, 'setHeaderRoute');
    if (routing?.istio === undefined && routing?.plugins === undefined) {
      issues.add(routePath, `requires trafficRouting with istio or plugins[${GATEWAY_API_PLUGIN}]`);
    } else {
      headerRoute.match?.forEach((match, index) =>
        checkStringMatch(match?.headerValue, childPath(indexPath(childPath(routePath, 'match'), index), 'headerValue'), issues),
      );
    }
  }

  const mirrorRoute = step.setMirrorRoute;
  if (mirrorRoute !== undefined) {
    const routePath = childPath(stepPath, 'setMirrorRoute');
    if (routing?.istio === undefined) issues.add(routePath, 'requires trafficRouting with istio');
    mirrorRoute.match?.forEach((match, index) => {
      const matchPath = indexPath(childPath(routePath, 'match'), index);
      checkStringMatch(match?.method, childPath(matchPath, 'method'), issues);
      checkStringMatch(match?.path, childPath(matchPath, 'path'), issues);
      Object.entries(match?.headers ?? {}).forEach(([header, headerMatch]) =>
        checkStringMatch(headerMatch, `${childPath(matchPath, 'headers')}[${header}]`, issues),
      );
    });
  }

  const managedRoutes = routing?.managedRoutes;
  for (const [action, route] of [
    ['setHeaderRoute', headerRoute],
    ['setMirrorRoute', mirrorRoute],
  ] as const) {
    if (route?.name === undefined || managedRoutes === undefined) continue;
    if (!managedRoutes.some((managed) => managed?.name === route.name)) {
      issues.add(childPath(childPath(stepPath, action), 'name'), `"${route.name}" is not listed in ${path}.trafficRouting.managedRoutes`);
    }
  }

  const experiment = step.experiment;
  if (experiment !== undefined) {
    const experimentPath = childPath(stepPath, 'experiment');
    const templatesPath = childPath(experimentPath, 'templates');
    checkUniqueNames(experiment.templates, templatesPath, 'template', issues);
    experiment.templates?.forEach((template, index) => {
      if (template?.weight === undefined) return;
      const weightPath = childPath(indexPath(templatesPath, index), 'weight');
      if (routing === undefined) issues.add(weightPath, 'requires spec.strategy.canary.trafficRouting');
      else if (routing.smi === undefined && routing.istio === undefined && routing.plugins === undefined)
        issues.add(weightPath, `is only supported with the smi or istio router or plugins[${GATEWAY_API_PLUGIN}]`);
    });
    checkGoDuration(experiment.duration, childPath(experimentPath, 'duration'), issues, { positive: true, allowPlaceholder: false });
    const analysesPath = childPath(experimentPath, 'analyses');
    checkUniqueNames(experiment.analyses, analysesPath, 'analysis', issues);
    experiment.analyses?.forEach((analysis, index) =>
      checkRunArguments(analysis?.args, childPath(indexPath(analysesPath, index), 'args'), issues),
    );
  }

  if (step.analysis !== undefined) checkRolloutAnalysis(step.analysis, childPath(stepPath, 'analysis'), issues);
}

/**
 * A canary strategy as Argo's controller validates it: surge and availability, services, traffic routing and every step.
 * @example steps `[{ setWeight: 20 }, { setCanaryScale: { replicas: 1 } }]` without trafficRouting are refused at
 *   `spec.strategy.canary.steps[1].setCanaryScale`.
 */
export function checkCanary(canary: Loose<CanaryStrategy>, path: string, issues: IssueList): void {
  const routing = canary.trafficRouting;
  const maxSurge = intOrStringValue(canary.maxSurge ?? DEFAULT_CANARY_MAX_SURGE);
  const maxUnavailable = intOrStringValue(canary.maxUnavailable ?? DEFAULT_CANARY_MAX_UNAVAILABLE);
  if (maxSurge === 0 && maxUnavailable === 0) {
    issues.add(childPath(path, 'maxSurge'), 'maxSurge and maxUnavailable cannot both be 0: the rollout could never make progress');
  }

  const { canaryService, stableService } = canary;
  if (canaryService !== undefined && canaryService !== '' && canaryService === stableService) {
    issues.add(childPath(path, 'stableService'), 'must differ from canaryService: two services are required');
  }

  if (routing === undefined) {
    if (canary.scaleDownDelaySeconds !== undefined)
      issues.add(childPath(path, 'scaleDownDelaySeconds'), 'can only be used with trafficRouting');
    if (canary.dynamicStableScale === true) issues.add(childPath(path, 'dynamicStableScale'), 'can only be used with trafficRouting');
  } else {
    const routingPath = childPath(path, 'trafficRouting');
    checkTrafficRouting(routing, routingPath, issues);
    if (routingNeedsServices(routing)) {
      for (const service of ['canaryService', 'stableService'] as const) {
        if ((canary[service] ?? '') === '') issues.add(childPath(path, service), 'is required by trafficRouting');
      }
    }
    if (canary.scaleDownDelaySeconds !== undefined && canary.dynamicStableScale === true) {
      issues.add(childPath(path, 'dynamicStableScale'), 'cannot be used with scaleDownDelaySeconds');
    }
    const usesManagedRoutes = (canary.steps ?? []).some((step) => step?.setHeaderRoute !== undefined || step?.setMirrorRoute !== undefined);
    if (usesManagedRoutes && routing.managedRoutes === undefined) {
      issues.add(childPath(routingPath, 'managedRoutes'), 'is required: steps set header or mirror routes, which must be listed here');
    }
  }

  const stepsPath = childPath(path, 'steps');
  const context: CanaryContext = { canary, path, issues };
  canary.steps?.forEach((step, index) => {
    if (step !== undefined) checkStep(step, indexPath(stepsPath, index), context);
  });

  const analysis = canary.analysis;
  if (analysis !== undefined) {
    const analysisPath = childPath(path, 'analysis');
    checkRolloutAnalysis(analysis, analysisPath, issues);
    const stepCount = canary.steps?.length ?? 0;
    if (analysis.startingStep !== undefined && analysis.startingStep >= stepCount) {
      issues.add(
        childPath(analysisPath, 'startingStep'),
        stepCount === 0
          ? 'needs steps to start at'
          : `must name one of the ${stepCount} steps (0 to ${stepCount - 1}), not ${analysis.startingStep}`,
      );
    }
  }
  checkAntiAffinity(canary.antiAffinity, childPath(path, 'antiAffinity'), issues);
}
