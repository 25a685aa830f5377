import type { Destination, NotificationConfiguration, TriggerCondition } from './configuration-types.js';
import type { NotificationSubject, PlannedNotification, RenderedNotification } from './plan-types.js';
import { conditionOutcome, renderFor, renderWholeTemplate, subjectVariables } from './render-notification.js';

/** The trigger name of a notification sent by hand (`template notify`) rather than decided by a state change. */
export const ON_DEMAND_TRIGGER = 'on-demand';

/** Why a template could not be rendered or a trigger evaluated: a name the configuration lacks, or a template that fails. */
export interface InspectionFailure {
  code: 'template/unknown' | 'template/render' | 'trigger/unknown' | 'service/unknown';
  message: string;
}

export interface TemplateRenderInput {
  /** The configuration in effect where the subject lives (`effectiveConfiguration`). */
  configuration: NotificationConfiguration;
  template: string;
  subject: NotificationSubject;
  /** What `.time.Now` answers. */
  now: Date;
}

/**
 * Renders a template over a subject as it is now, for no destination: the message, the title and every per-service
 * block of the template. Never sends anything.
 * @example renderTemplate({ configuration: effectiveConfiguration(), template: 'rollout-completed', subject, now })
 * // => { message: 'Rollout guestbook has been completed.', fields: { email: { subject: '…' }, slack: { attachments: '…' } } }
 */
export function renderTemplate(input: TemplateRenderInput): RenderedNotification | InspectionFailure {
  const template = input.configuration.templates[input.template];
  if (template === undefined) return { code: 'template/unknown', message: `template "${input.template}" is not defined` };
  return renderWholeTemplate(template, subjectVariables(input.subject, input.configuration), input.now);
}

/**
 * The notifications `template notify` sends: the template rendered for each destination's service, each with a key
 * of its own `sendId`, so that the same request stored twice is one delivery per destination. All or nothing: the
 * first destination that cannot be served (an unknown service, a block that fails to render) is the answer.
 * @example planOnDemand({ …, template: 'rollout-completed', destinations: [{ service: 'slack', recipient: 'releases' }], sendId: 'r-1' })
 * // => [{ trigger: 'on-demand', service: 'slack', serviceType: 'slack', recipient: 'releases', dedupeKey: 'on-demand/r-1/slack/releases', … }]
 */
export function planOnDemand(
  input: TemplateRenderInput & { destinations: readonly Destination[]; sendId: string },
): PlannedNotification[] | (InspectionFailure & { destination?: number }) {
  if (input.configuration.templates[input.template] === undefined)
    return { code: 'template/unknown', message: `template "${input.template}" is not defined` };
  const variables = subjectVariables(input.subject, input.configuration);
  const planned: PlannedNotification[] = [];
  for (const [index, destination] of input.destinations.entries()) {
    const outcome = renderFor(ON_DEMAND_TRIGGER, destination, [input.template], input.configuration, variables, input.now);
    if ('code' in outcome)
      return {
        code: outcome.code === 'service/unknown' ? 'service/unknown' : 'template/render',
        message: outcome.message,
        destination: index,
      };
    planned.push({ ...outcome, dedupeKey: [ON_DEMAND_TRIGGER, input.sendId, destination.service, destination.recipient].join('/') });
  }
  return planned;
}

/** One condition of a trigger and what it evaluates to over a subject. */
export interface ConditionEvaluation {
  condition: TriggerCondition;
  /** Whether it holds; false as well when it cannot be told (`error` says why). */
  holds: boolean;
  error?: string;
}

/**
 * Evaluates every condition of a trigger over a subject as it is now, as `trigger run` prints them. Conditions are
 * evaluated without an event: one that reads `event` cannot be told. Never sends anything.
 * @example evaluateTrigger({ configuration, trigger: 'on-purple', subject, now })
 * // => [{ condition: { when: "rollout.spec.template.spec.containers[0].image == 'demo:purple'", send: ['purple'] }, holds: true }]
 */
export function evaluateTrigger(input: {
  configuration: NotificationConfiguration;
  trigger: string;
  subject: NotificationSubject;
  now: Date;
}): ConditionEvaluation[] | InspectionFailure {
  const trigger = input.configuration.triggers[input.trigger];
  if (trigger === undefined) return { code: 'trigger/unknown', message: `trigger "${input.trigger}" is not defined` };
  const variables = subjectVariables(input.subject, input.configuration);
  return trigger.conditions.map((condition) => {
    const outcome = conditionOutcome(condition, variables, input.now);
    return typeof outcome === 'boolean' ? { condition, holds: outcome } : { condition, holds: false, error: outcome.message };
  });
}
