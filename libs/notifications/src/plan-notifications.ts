import {
  compileVariableCondition,
  ConditionEvaluationError,
  ConditionSyntaxError,
  type CompiledVariableCondition,
} from '@flotilla/analysis';
import type { Destination, NotificationConfiguration, TemplateDefinition, TriggerCondition } from './configuration-types.js';
import { EVENT_TRIGGERS, eventVariables, triggersForEvent } from './event-triggers.js';
import {
  compileTemplate,
  STRING_FUNCTIONS,
  TemplateRenderError,
  TemplateSyntaxError,
  timeFunctions,
  type CompiledTemplate,
} from './go-template/index.js';
import type { JsonObject, JsonValue } from './json.js';
import { parseOncePer, readOncePer, type OncePerPath } from './once-per.js';
import type {
  NotificationFailure,
  NotificationPlan,
  NotificationPlanInput,
  NotificationSubject,
  PlannedNotification,
  RenderedNotification,
} from './plan-types.js';
import { mapStrings } from './secret-references.js';
import { destinationsByTrigger } from './subscriptions.js';
import { CONDITION_VARIABLES, REFUSED_TEMPLATE_ROOTS, TEMPLATE_ROOTS } from './template-variables.js';
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
  const base = { ...subjectVariables(subject), context: configuration.context };

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
      plan.notifications.push({ ...outcome, dedupeKey: key });
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
            ? [input.changeId, eventIndex, trigger, conditionIndex, destination.service, destination.recipient].join('/')
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
  const object = subject.kind === 'Rollout' ? subject.rollout : subject.fleetRollout;
  const metadata = isJsonObject(object.metadata) ? object.metadata : {};
  return { annotations: stringMap(metadata.annotations), labels: stringMap(metadata.labels) };
}

function stringMap(value: JsonValue | undefined): Record<string, string> {
  if (!isJsonObject(value)) return {};
  return Object.fromEntries(Object.entries(value).flatMap(([key, item]) => (typeof item === 'string' ? [[key, item]] : [])));
}

function subjectVariables(subject: NotificationSubject): Record<string, unknown> {
  return subject.kind === 'Rollout'
    ? { rollout: subject.rollout, analysisRuns: subject.analysisRuns }
    : { fleetRollout: subject.fleetRollout, release: subject.release };
}

const compiledConditions = new WeakMap<TriggerCondition, CompiledVariableCondition | ConditionSyntaxError>();
const compiledOncePers = new WeakMap<TriggerCondition, OncePerPath | string>();
const compiledTemplates = new Map<string, CompiledTemplate | TemplateSyntaxError>();
const MAX_CACHED_TEMPLATES = 2_000;

function evaluateCondition(
  trigger: string,
  condition: TriggerCondition,
  variables: Record<string, unknown>,
  now: Date,
  destinations: readonly Destination[],
  failures: NotificationFailure[],
): boolean {
  if (condition.when === undefined || condition.when.trim() === '') return true;
  let compiled = compiledConditions.get(condition);
  if (compiled === undefined) {
    compiled = compileVariableCondition(condition.when, CONDITION_VARIABLES);
    compiledConditions.set(condition, compiled);
  }
  const outcome = compiled instanceof ConditionSyntaxError ? compiled : compiled.evaluate(variables, now);
  if (typeof outcome === 'boolean') return outcome;
  const reason = outcome instanceof ConditionEvaluationError ? outcome.message : outcome.message;
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

function compiled(source: string): CompiledTemplate | TemplateSyntaxError {
  let template = compiledTemplates.get(source);
  if (template === undefined) {
    template = compileTemplate(source, TEMPLATE_ROOTS, REFUSED_TEMPLATE_ROOTS);
    if (compiledTemplates.size >= MAX_CACHED_TEMPLATES) compiledTemplates.clear();
    compiledTemplates.set(source, template);
  }
  return template;
}

class RenderFailure extends Error {}

function renderText(source: string, data: Record<string, unknown>, where: string): string {
  const template = compiled(source);
  if (template instanceof TemplateSyntaxError) throw new RenderFailure(`${where}: ${template.message}`);
  try {
    return template.render(data);
  } catch (failure) {
    if (failure instanceof TemplateRenderError) throw new RenderFailure(`${where}: ${failure.message}`);
    throw failure;
  }
}

/** Renders the templates a condition sends for one destination, merged in order as Argo merges them. */
function renderFor(
  trigger: string,
  destination: Destination,
  templateNames: readonly string[],
  configuration: NotificationConfiguration,
  variables: Record<string, unknown>,
  now: Date,
): Omit<PlannedNotification, 'dedupeKey'> | NotificationFailure {
  const service = configuration.services[destination.service];
  if (service === undefined)
    return { trigger, ...destination, code: 'service/unknown', message: `service "${destination.service}" is not configured` };
  const data = {
    ...variables,
    recipient: destination.recipient,
    serviceType: service.type,
    time: timeFunctions(now),
    strings: STRING_FUNCTIONS,
  };
  const notification: RenderedNotification = { message: '', fields: {} };
  for (const name of templateNames) {
    const template: TemplateDefinition | undefined = configuration.templates[name];
    if (template === undefined) return { trigger, ...destination, code: 'template/unknown', message: `template "${name}" is not defined` };
    try {
      if (template.message !== undefined) notification.message = renderText(template.message, data, `template ${name} message`);
      if (template.title !== undefined) notification.title = renderText(template.title, data, `template ${name} title`);
      const block = serviceBlock(template, service.type, service.name);
      if (block !== undefined) {
        const rendered = mapStrings(block, (text) => renderText(text, data, `template ${name} ${service.type}`)) as JsonObject;
        notification.fields[service.type] = { ...notification.fields[service.type], ...rendered };
      }
    } catch (failure) {
      if (failure instanceof RenderFailure) return { trigger, ...destination, code: 'template/render', message: failure.message };
      throw failure;
    }
  }
  return { trigger, service: service.name, serviceType: service.type, recipient: destination.recipient, notification };
}

/** A template's block for a service: `slack: {…}`, or for a webhook, its own entry of `webhook: { <name>: {…} }`. */
function serviceBlock(template: TemplateDefinition, type: string, name: string): JsonObject | undefined {
  const block = template.fields[type];
  if (block === undefined || type !== 'webhook') return block;
  const own = block[name];
  return isJsonObject(own) ? { [name]: own } : undefined;
}
