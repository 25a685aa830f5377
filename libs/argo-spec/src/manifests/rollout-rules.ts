import { pauseDurationSeconds } from '../duration.js';
import {
  type AntiAffinity,
  type BlueGreenStrategy,
  type CanaryStep,
  type CanaryStrategy,
  GATEWAY_API_PLUGIN,
  type RolloutSpec,
  type RolloutTrafficRouting,
} from '../types.js';
import { checkRolloutAnalysis, checkRunArguments, checkUniqueNames } from './analysis-references.js';
import { checkGoDuration } from './durations.js';
import { childPath, indexPath, type IssueList } from './issues.js';
import { checkSelectedPodTemplate } from './pod-templates.js';
import { hadRefusedFields, intOrStringValue, isPresent, type Loose } from './schema.js';

/** Argo's defaults, used only to judge values that depend on them; documents are never filled in. */
const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
const DEFAULT_REVISION_HISTORY_LIMIT = 10;
const DEFAULT_CANARY_MAX_SURGE = '25%';
const DEFAULT_CANARY_MAX_UNAVAILABLE = '25%';
const DEFAULT_MAX_TRAFFIC_WEIGHT = 100;

const STEP_ACTIONS = [
  'setWeight',
  'pause',
  'experiment',
  'analysis',
  'setCanaryScale',
  'setHeaderRoute',
  'setMirrorRoute',
] as const satisfies readonly (keyof CanaryStep)[];

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

function exactlyOneSet(value: object, fields: readonly string[]): boolean {
  return fields.filter((field) => isPresent(value, field)).length === 1;
}

function checkAntiAffinity(antiAffinity: Loose<AntiAffinity> | undefined, path: string, issues: IssueList): void {
  if (antiAffinity === undefined) return;
  const strategies = ['preferredDuringSchedulingIgnoredDuringExecution', 'requiredDuringSchedulingIgnoredDuringExecution'];
  if (!exactlyOneSet(antiAffinity, strategies)) issues.add(path, `must set exactly one of ${strategies.join(' and ')}`);
  const weight = antiAffinity.preferredDuringSchedulingIgnoredDuringExecution?.weight;
  if (weight !== undefined && (weight < 1 || weight > 100)) {
    issues.add(childPath(childPath(path, strategies[0] as string), 'weight'), `must be between 1 and 100, not ${weight}`);
  }
}

/** The traffic routers a canary names, such as `['nginx']` or `['plugins[argoproj-labs/gatewayAPI]']`. */
function trafficRouters(routing: Loose<RolloutTrafficRouting>): string[] {
  const builtIn = (['nginx', 'istio', 'smi'] as const).filter((router) => isPresent(routing, router));
  const plugins = Object.keys(routing.plugins ?? {}).map((plugin) => `plugins[${plugin}]`);
  return [...builtIn, ...plugins];
}

function checkTrafficRouting(routing: Loose<RolloutTrafficRouting>, path: string, issues: IssueList): void {
  const routers = trafficRouters(routing);
  if (routers.length === 0 && !hadRefusedFields(routing)) {
    issues.add(path, `must configure a traffic router: nginx, istio, smi or plugins[${GATEWAY_API_PLUGIN}]`);
  } else if (routers.length > 1) {
    issues.add(path, `configures ${routers.length} traffic routers (${routers.join(', ')}); at most one is supported`);
  }

  const { nginx, istio } = routing;
  if (nginx !== undefined) {
    const hasIngresses = (nginx.stableIngresses?.length ?? 0) > 0;
    if ((nginx.stableIngress !== undefined) === hasIngresses) {
      issues.add(childPath(path, 'nginx'), 'must set exactly one of stableIngress and stableIngresses');
    }
  }
  if (istio !== undefined) {
    const hasVirtualServices = (istio.virtualServices?.length ?? 0) > 0;
    if (isPresent(istio, 'virtualService') === hasVirtualServices) {
      issues.add(childPath(path, 'istio'), 'must set exactly one of virtualService and virtualServices');
    }
    const rule = istio.destinationRule;
    if (rule?.canarySubsetName !== undefined && rule.canarySubsetName === rule.stableSubsetName) {
      issues.add(childPath(childPath(childPath(path, 'istio'), 'destinationRule'), 'canarySubsetName'), 'must differ from stableSubsetName');
    }
  }
  const gatewayApi = routing.plugins?.[GATEWAY_API_PLUGIN];
  if (gatewayApi !== undefined && !exactlyOneSet(gatewayApi, ['httpRoute', 'httpRoutes'])) {
    issues.add(`${childPath(path, 'plugins')}[${GATEWAY_API_PLUGIN}]`, 'must set exactly one of httpRoute and httpRoutes');
  }
  checkUniqueNames(routing.managedRoutes, childPath(path, 'managedRoutes'), 'managed route', issues);
  if (routing.maxTrafficWeight !== undefined && nginx === undefined && routing.plugins === undefined) {
    issues.add(childPath(path, 'maxTrafficWeight'), 'is only supported with the nginx router or a plugin');
  }
}

/** Argo needs both services whenever a router splits traffic between them (istio subsets route by pod hash instead). */
function routingNeedsServices(routing: Loose<RolloutTrafficRouting>): boolean {
  return (
    routing.nginx !== undefined ||
    routing.smi !== undefined ||
    routing.plugins?.[GATEWAY_API_PLUGIN] !== undefined ||
    (routing.istio !== undefined && routing.istio.destinationRule === undefined)
  );
}

function checkStringMatch(match: object | undefined, path: string, issues: IssueList): void {
  if (match !== undefined && !exactlyOneSet(match, ['exact', 'prefix', 'regex'])) {
    issues.add(path, 'must set exactly one of exact, prefix and regex');
  }
}

interface CanaryContext {
  canary: Loose<CanaryStrategy>;
  path: string;
  issues: IssueList;
}

function checkStep(step: Loose<CanaryStep>, stepPath: string, { canary, path, issues }: CanaryContext): void {
  const routing = canary.trafficRouting;
  const actions = STEP_ACTIONS.filter((action) => isPresent(step, action));
  if (actions.length === 0) issues.add(stepPath, `must set one action: ${STEP_ACTIONS.join(', ')}`);
  if (actions.length > 1) issues.add(stepPath, `sets ${actions.join(' and ')}; a step takes exactly one action`);

  const maxWeight = routing?.maxTrafficWeight ?? DEFAULT_MAX_TRAFFIC_WEIGHT;
  if (step.setWeight !== undefined && step.setWeight > maxWeight) {
    issues.add(childPath(stepPath, 'setWeight'), `must be between 0 and ${maxWeight}, not ${step.setWeight}`);
  }

  const duration = step.pause?.duration;
  if (duration !== undefined) {
    const seconds = pauseDurationSeconds(duration);
    const durationPath = childPath(childPath(stepPath, 'pause'), 'duration');
    if (seconds === undefined) issues.add(durationPath, `${JSON.stringify(duration)} is not a number of seconds or a duration such as "30s"`);
    else if (seconds < 0) issues.add(durationPath, `must be non-negative, not ${JSON.stringify(duration)}`);
  }

  const scale = step.setCanaryScale;
  if (scale !== undefined) {
    const scalePath = childPath(stepPath, 'setCanaryScale');
    if (!exactlyOneSet(scale, ['weight', 'replicas', 'matchTrafficWeight'])) {
      issues.add(scalePath, 'must set exactly one of weight, replicas and matchTrafficWeight');
    }
    if (routing === undefined) issues.add(scalePath, 'requires spec.strategy.canary.trafficRouting');
  }

  const headerRoute = step.setHeaderRoute;
  if (headerRoute !== undefined) {
    const routePath = childPath(stepPath, 'setHeaderRoute');
    if (routing?.istio === undefined && routing?.plugins === undefined) {
      issues.add(routePath, `requires trafficRouting with istio or plugins[${GATEWAY_API_PLUGIN}]`);
    }
    headerRoute.match?.forEach((match, index) =>
      checkStringMatch(match?.headerValue, childPath(indexPath(childPath(routePath, 'match'), index), 'headerValue'), issues),
    );
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
  for (const [action, route] of [['setHeaderRoute', headerRoute], ['setMirrorRoute', mirrorRoute]] as const) {
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
      else if (routing.smi === undefined && routing.istio === undefined) issues.add(weightPath, 'is only supported with the smi or istio router');
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

function checkCanary(canary: Loose<CanaryStrategy>, path: string, issues: IssueList): void {
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
    if (canary.scaleDownDelaySeconds !== undefined) issues.add(childPath(path, 'scaleDownDelaySeconds'), 'can only be used with trafficRouting');
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
        stepCount === 0 ? 'needs steps to start at' : `must name one of the ${stepCount} steps (0 to ${stepCount - 1}), not ${analysis.startingStep}`,
      );
    }
  }
  checkAntiAffinity(canary.antiAffinity, childPath(path, 'antiAffinity'), issues);
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
 *   because a step takes exactly one action.
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
