import { compileVariableCondition, ConditionSyntaxError, type CompiledVariableCondition } from '@flotilla/analysis';
import type { Destination, NotificationConfiguration, TemplateDefinition, TriggerCondition } from './configuration-types.js';
import {
  compileTemplate,
  STRING_FUNCTIONS,
  TemplateRenderError,
  TemplateSyntaxError,
  timeFunctions,
  type CompiledTemplate,
} from './go-template/index.js';
import type { JsonObject, JsonValue } from './json.js';
import type { NotificationFailure, NotificationSubject, PlannedNotification, RenderedNotification } from './plan-types.js';
import { mapStrings } from './secret-references.js';
import { CONDITION_VARIABLES, REFUSED_TEMPLATE_ROOTS, TEMPLATE_ROOTS } from './template-variables.js';
import { isJsonObject } from './yaml-value.js';

const compiledConditions = new WeakMap<TriggerCondition, CompiledVariableCondition | ConditionSyntaxError>();
const compiledTemplates = new Map<string, CompiledTemplate | TemplateSyntaxError>();
const MAX_CACHED_TEMPLATES = 2_000;

/** What templates and conditions read of a subject, without an event: `.rollout`, `.analysisRuns`, `.context`, … */
export function subjectVariables(subject: NotificationSubject, configuration: NotificationConfiguration): Record<string, unknown> {
  return { ...ownVariables(subject), context: configuration.context };
}

function ownVariables(subject: NotificationSubject): Record<string, unknown> {
  switch (subject.kind) {
    case 'Rollout':
      return { rollout: subject.rollout, analysisRuns: subject.analysisRuns };
    case 'FleetRollout':
      return { fleetRollout: subject.fleetRollout, release: subject.release };
    case 'FreezeWindow':
      return { freezeWindow: subject.freezeWindow, override: subject.override };
  }
}

/**
 * A trigger condition's `when` over `variables`: true or false, or why it cannot be told (a condition that does not
 * compile, or reads what is not there). A condition without `when` always holds.
 * @example conditionOutcome({ when: "rollout.status.phase == 'Healthy'", send: [] }, { rollout: { status: { phase: 'Healthy' } } }, now) // true
 */
export function conditionOutcome(condition: TriggerCondition, variables: Record<string, unknown>, now: Date): boolean | Error {
  if (condition.when === undefined || condition.when.trim() === '') return true;
  let compiled = compiledConditions.get(condition);
  if (compiled === undefined) {
    compiled = compileVariableCondition(condition.when, CONDITION_VARIABLES);
    compiledConditions.set(condition, compiled);
  }
  return compiled instanceof ConditionSyntaxError ? compiled : compiled.evaluate(variables, now);
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

/** What every template sees beside the subject: the recipient, the service type, `.time` and `.strings`. */
function templateData(variables: Record<string, unknown>, recipient: string, serviceType: string, now: Date): Record<string, unknown> {
  return { ...variables, recipient, serviceType, time: timeFunctions(now), strings: STRING_FUNCTIONS };
}

/** Renders the templates a condition sends for one destination, merged in order as Argo merges them. */
export function renderFor(
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
  const data = templateData(variables, destination.recipient, service.type, now);
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

/**
 * Renders one template whole, for no destination: its message and title, and every per-service block it has, each
 * with `.serviceType` set to the block's type and `.recipient` empty. What `template notify` prints without recipients.
 * @example renderWholeTemplate(template, variables, now)
 * // => { message: 'Rollout guestbook has been completed.', fields: { email: { subject: '…' }, slack: { attachments: '[…]' } } }
 */
export function renderWholeTemplate(
  template: TemplateDefinition,
  variables: Record<string, unknown>,
  now: Date,
): RenderedNotification | { code: 'template/render'; message: string } {
  const plain = templateData(variables, '', '', now);
  try {
    const notification: RenderedNotification = { message: '', fields: {} };
    if (template.message !== undefined) notification.message = renderText(template.message, plain, `template ${template.name} message`);
    if (template.title !== undefined) notification.title = renderText(template.title, plain, `template ${template.name} title`);
    for (const [type, block] of Object.entries(template.fields)) {
      const data = templateData(variables, '', type, now);
      notification.fields[type] = mapStrings(block, (text) => renderText(text, data, `template ${template.name} ${type}`)) as JsonObject;
    }
    return notification;
  } catch (failure) {
    if (failure instanceof RenderFailure) return { code: 'template/render', message: failure.message };
    throw failure;
  }
}

/** A template's block for a service: `slack: {…}`, or for a webhook, its own entry of `webhook: { <name>: {…} }`. */
function serviceBlock(template: TemplateDefinition, type: string, name: string): JsonObject | undefined {
  const block = template.fields[type];
  if (block === undefined || type !== 'webhook') return block;
  const own: JsonValue | undefined = block[name];
  return isJsonObject(own) ? { [name]: own } : undefined;
}
