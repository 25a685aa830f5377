/** What templates see at their top level: `.rollout`, `.recipient`, … */
export const TEMPLATE_ROOTS: readonly string[] = [
  'rollout',
  'analysisRuns',
  'fleetRollout',
  'release',
  'freezeWindow',
  'override',
  'event',
  'recipient',
  'serviceType',
  'context',
  'time',
  'strings',
];

/** Roots Argo offers that Flotilla refuses, and why. */
export const REFUSED_TEMPLATE_ROOTS: Readonly<Record<string, string>> = {
  secrets: 'rendered notifications are stored and logged, so Secret values stay out of them; reference them as $key in a service',
  app: '.app is Argo CD’s Application; rollout notifications see .rollout',
};

/** What trigger conditions (`when`) and `oncePer` may read. */
export const CONDITION_VARIABLES: readonly string[] = [
  'rollout',
  'analysisRuns',
  'fleetRollout',
  'release',
  'freezeWindow',
  'override',
  'event',
  'context',
];
