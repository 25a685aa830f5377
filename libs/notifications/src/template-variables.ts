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

/** What templates see at their top level: what conditions read, and `.recipient`, `.serviceType`, `.time`, `.strings`. */
export const TEMPLATE_ROOTS: readonly string[] = [...CONDITION_VARIABLES, 'recipient', 'serviceType', 'time', 'strings'];
