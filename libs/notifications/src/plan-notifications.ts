import type { Destination, TriggerCondition } from './configuration-types.js';
import { EVENT_TRIGGERS, eventVariables, triggersForEvent } from './event-triggers.js';
import type { JsonValue } from './json.js';
import { parseOncePer, readOncePer, type OncePerPath } from './once-per.js';
import type { NotificationFailure, NotificationPlan, NotificationPlanInput, NotificationSubject } from './plan-types.js';
import { conditionOutcome, renderFor, subjectVariables } from './render-notification.js';
import { destinationsByTrigger } from './subscriptions.js';
import { CONDITION_VARIABLES } from './template-variables.js';
import { isJsonObject } from './yaml-value.js';

/**
 * Decides the notifications of one state change. Each event fires its triggers (`RolloutStepCompleted` →
 * `on-rollout-step-completed`, …) for every destination subscribed to them; a trigger's conditions that hold send
 * their templates, rendered for the destination's service. A subscribed trigger no event fires is evaluated on every
 * change and notifies when its condition becomes true. `oncePer` sends once per value of its field, for as long as
 * the history remembers it. Never performs anything: same input, same plan.
 * @example
 * planNotifications({ changeId: 'r1/7', events: [{ source: 'rollout', event: { type: 'RolloutCompleted', revision: 2, podTemplateHash: 'abc' } }],
 *   subject: { kind: 'Rollout', rollout, analysisRuns: [] }, configuration: effectiveConfiguration(organization), history: new Set(), now })
 * // => { notifications: [{ trigger: 'on-rollout-completed', service: 'slack', recipient: 'releases',
 * //       notification: { message: 'Rollout guestbook has been completed.', fields: { slack: { attachments: '…' } } }, … }], … }
 */
export function planNotifications(input: NotificationPlanInput): NotificationPlan {
  const { configuration, subject, history } = input;
  const plan: NotificationPlan = { notifications: [], remember: [], forget: [], failures: [] };
  const destinations = destinationsByTrigger(subjectMetadata(subject), configuration);
  if (destinations.size === 0) return plan;
  const base = subjectVariables(subject, configuration);

  const fire = (
    trigger: string,
    conditionIndex: number,
    condition: TriggerCondition,
    event: Record<string, unknown> | undefined,
    keyOf: (destination: Destination) => string,
  ): void => {
    for (const destination of destinations.get(trigger) ?? []) {
      const key = keyOf(destination);
      if (history.has(key)) continue;
      const outcome = renderFor(trigger, destination, condition.send, configuration, { ...base, ...(event ? { event } : {}) }, input.now);
      if ('code' in outcome) {
        plan.failures.push(outcome);
        continue;
      }
      // The history key is the subject's; the delivery's is the decision's, so that another subject, or this one once
      // its condition held again, is not taken for a retry of this decision.
      plan.notifications.push({ ...outcome, dedupeKey: `${input.changeId}/${key}` });
      if (condition.oncePer !== undefined || event === undefined) plan.remember.push(key);
    }
  };

  input.events.forEach((event, eventIndex) => {
    const variables = { ...base, event: eventVariables(event) };
    for (const trigger of triggersForEvent(event, subject)) {
      const definition = configuration.triggers[trigger];
      if (definition === undefined || !destinations.has(trigger)) continue;
      definition.conditions.forEach((condition, conditionIndex) => {
        const holds = evaluateCondition(trigger, condition, variables, input.now, destinations.get(trigger) ?? [], plan.failures);
        if (!holds) return;
        const oncePer = condition.oncePer === undefined ? undefined : readOncePer(compiledOncePer(condition), variables);
        fire(trigger, conditionIndex, condition, variables.event, (destination) =>
          oncePer === undefined
            ? [eventIndex, trigger, conditionIndex, destination.service, destination.recipient].join('/')
            : ['oncePer', trigger, conditionIndex, destination.service, destination.recipient, oncePer].join('/'),
        );
      });
    }
  });

  for (const [trigger, subscribed] of destinations) {
    const definition = configuration.triggers[trigger];
    if (EVENT_TRIGGERS.has(trigger) || definition === undefined) continue;
    definition.conditions.forEach((condition, conditionIndex) => {
      const holds = evaluateCondition(trigger, condition, base, input.now, subscribed, plan.failures);
      const oncePer = condition.oncePer === undefined ? undefined : readOncePer(compiledOncePer(condition), base);
      const keyOf = (destination: Destination): string =>
        oncePer === undefined
          ? ['when', trigger, conditionIndex, destination.service, destination.recipient].join('/')
          : ['oncePer', trigger, conditionIndex, destination.service, destination.recipient, oncePer].join('/');
      if (holds) fire(trigger, conditionIndex, condition, undefined, keyOf);
      else if (oncePer === undefined)
        for (const destination of subscribed) if (history.has(keyOf(destination))) plan.forget.push(keyOf(destination));
    });
  }
  return plan;
}

function subjectMetadata(subject: NotificationSubject): { annotations: Record<string, string>; labels: Record<string, string> } {
  const object =
    subject.kind === 'Rollout' ? subject.rollout : subject.kind === 'FleetRollout' ? subject.fleetRollout : subject.freezeWindow;
  const metadata = isJsonObject(object.metadata) ? object.metadata : {};
  return { annotations: stringMap(metadata.annotations), labels: stringMap(metadata.labels) };
}

function stringMap(value: JsonValue | undefined): Record<string, string> {
  if (!isJsonObject(value)) return {};
  return Object.fromEntries(Object.entries(value).flatMap(([key, item]) => (typeof item === 'string' ? [[key, item]] : [])));
}

const compiledOncePers = new WeakMap<TriggerCondition, OncePerPath | string>();

function evaluateCondition(
  trigger: string,
  condition: TriggerCondition,
  variables: Record<string, unknown>,
  now: Date,
  destinations: readonly Destination[],
  failures: NotificationFailure[],
): boolean {
  const outcome = conditionOutcome(condition, variables, now);
  if (typeof outcome === 'boolean') return outcome;
  const reason = outcome.message;
  for (const destination of destinations)
    failures.push({ trigger, ...destination, code: 'condition/evaluation', message: `when ${JSON.stringify(condition.when)}: ${reason}` });
  return false;
}

function compiledOncePer(condition: TriggerCondition): OncePerPath {
  let compiled = compiledOncePers.get(condition);
  if (compiled === undefined) {
    compiled = parseOncePer(condition.oncePer ?? '', CONDITION_VARIABLES);
    compiledOncePers.set(condition, compiled);
  }
  // A path that cannot be read (refused when applied) reads nothing: one notification in all.
  return typeof compiled === 'string' ? { root: '', path: [] } : compiled;
}
