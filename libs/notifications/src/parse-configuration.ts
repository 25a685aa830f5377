import { compileVariableCondition, ConditionSyntaxError } from '@flotilla/analysis';
import type {
  ConfigurationOrigin,
  Destination,
  NotificationConfiguration,
  NotificationSecretValues,
  ServiceDefinition,
  SubscriptionRule,
  TemplateDefinition,
  TriggerCondition,
  TriggerDefinition,
} from './configuration-types.js';
import { fieldPath, type ConfigurationIssue, type Parsed } from './configuration-issues.js';
import { compileTemplate, TemplateSyntaxError } from './go-template/index.js';
import type { JsonObject, JsonValue } from './json.js';
import { parseLabelSelector } from './label-selector.js';
import { parseOncePer } from './once-per.js';
import { secretReferences } from './secret-references.js';
import { CONDITION_VARIABLES, REFUSED_TEMPLATE_ROOTS, TEMPLATE_ROOTS } from './template-variables.js';
import { isJsonObject, readYamlValue } from './yaml-value.js';

export const MAX_CONFIGURATION_KEYS = 500;
export const MAX_CONFIGURATION_VALUE_LENGTH = 262_144;
export const MAX_SECRET_VALUE_LENGTH = 65_536;
const NAME = /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,251}[A-Za-z0-9])?$/;
const TRIGGER_FIELDS = new Set(['when', 'send', 'oncePer', 'description']);
const SUBSCRIPTION_FIELDS = new Set(['recipients', 'triggers', 'selector']);

/**
 * Reads the `data` of `argo-rollouts-notification-configmap` as Argo's notifications engine does: `service.<type>`
 * and `service.<type>.<name>`, `template.<name>`, `trigger.<name>`, `defaultTriggers`, `defaultTriggers.<service>`,
 * `subscriptions` and `context`; other keys are ignored, as Argo ignores them. Templates and conditions are compiled
 * so that a broken one is refused here, with its field path, rather than when it would first notify.
 * @example
 * parseNotificationConfigMap({ 'service.slack': 'token: $slack-token', 'trigger.on-purple': '- send: [purple]' }, 'organization')
 * // => { ok: true, value: { services: { slack: { name: 'slack', type: 'slack', settings: { token: '$slack-token' }, secretReferences: ['slack-token'], … } }, … } }
 */
export function parseNotificationConfigMap(
  data: Readonly<Record<string, unknown>>,
  origin: ConfigurationOrigin,
): Parsed<NotificationConfiguration> {
  const issues: ConfigurationIssue[] = [];
  const configuration: NotificationConfiguration = {
    services: {},
    templates: {},
    triggers: {},
    defaultTriggers: [],
    serviceDefaultTriggers: {},
    subscriptions: [],
    context: {},
  };
  const keys = Object.keys(data);
  if (keys.length > MAX_CONFIGURATION_KEYS)
    return { ok: false, issues: [{ path: 'data', message: `more than ${MAX_CONFIGURATION_KEYS} keys` }] };
  for (const key of keys.sort()) {
    const path = fieldPath('data', key);
    const text = data[key];
    if (typeof text !== 'string') {
      issues.push({ path, message: 'must be a string' });
      continue;
    }
    if (text.length > MAX_CONFIGURATION_VALUE_LENGTH) {
      issues.push({ path, message: `longer than ${MAX_CONFIGURATION_VALUE_LENGTH} characters` });
      continue;
    }
    const [kind, ...nameParts] = key.split('.');
    const name = nameParts.join('.');
    const known =
      kind === 'service' ||
      kind === 'template' ||
      kind === 'trigger' ||
      kind === 'defaultTriggers' ||
      key === 'subscriptions' ||
      key === 'context';
    if (!known) continue;
    if ((kind === 'service' || kind === 'template' || kind === 'trigger') && !NAME.test(name)) {
      issues.push({ path, message: `"${name}" is not a valid ${kind} name (letters, digits, '-', '_' and '.')` });
      continue;
    }
    const yaml = readYamlValue(text);
    if (!yaml.ok) {
      issues.push({ path, message: yaml.message });
      continue;
    }
    const collect = (found: ConfigurationIssue[]): void => void issues.push(...found);
    switch (kind) {
      case 'service': {
        const service = parseService(name, yaml.value, path, origin, collect);
        if (service === undefined) break;
        if (configuration.services[service.name]) issues.push({ path, message: `service "${service.name}" is defined twice` });
        else configuration.services[service.name] = service;
        break;
      }
      case 'template': {
        const template = parseTemplateDefinition(name, yaml.value, path, collect);
        if (template) configuration.templates[name] = template;
        break;
      }
      case 'trigger': {
        const trigger = parseTrigger(name, yaml.value, path, collect);
        if (trigger) configuration.triggers[name] = trigger;
        break;
      }
      case 'defaultTriggers': {
        const triggers = parseNameList(yaml.value, path, 'trigger names', collect);
        if (name === '') configuration.defaultTriggers = triggers;
        else configuration.serviceDefaultTriggers[name] = triggers;
        break;
      }
      default:
        if (key === 'subscriptions') configuration.subscriptions = parseSubscriptions(yaml.value, path, collect);
        else configuration.context = parseContext(yaml.value, path, collect);
    }
  }
  return issues.length === 0 ? { ok: true, value: configuration } : { ok: false, issues };
}

type Collect = (issues: ConfigurationIssue[]) => void;

function parseService(
  key: string,
  value: JsonValue,
  path: string,
  origin: ConfigurationOrigin,
  collect: Collect,
): ServiceDefinition | undefined {
  const [type = '', ...rest] = key.split('.');
  const name = rest.length > 0 ? rest.join('.') : type;
  if (!isJsonObject(value)) {
    collect([{ path, message: 'must be a YAML mapping of the service settings' }]);
    return undefined;
  }
  return { name, type, settings: value, secretReferences: secretReferences(value), origin };
}

function parseTemplateDefinition(name: string, value: JsonValue, path: string, collect: Collect): TemplateDefinition | undefined {
  if (!isJsonObject(value)) {
    collect([{ path, message: 'must be a YAML mapping with message, title or per-service fields' }]);
    return undefined;
  }
  const issues: ConfigurationIssue[] = [];
  const template: TemplateDefinition = { name, fields: {} };
  for (const [field, content] of Object.entries(value)) {
    const fieldAt = fieldPath(path, field);
    if (field === 'message' || field === 'title') {
      if (typeof content !== 'string') issues.push({ path: fieldAt, message: 'must be a string' });
      else {
        checkTemplateText(content, fieldAt, issues);
        template[field] = content;
      }
    } else if (isJsonObject(content)) {
      checkTemplateLeaves(content, fieldAt, issues);
      template.fields[field] = content;
    } else {
      issues.push({ path: fieldAt, message: `must be a mapping of ${field} fields` });
    }
  }
  collect(issues);
  return issues.length === 0 ? template : undefined;
}

function checkTemplateLeaves(value: JsonValue, path: string, issues: ConfigurationIssue[]): void {
  if (typeof value === 'string') checkTemplateText(value, path, issues);
  else if (Array.isArray(value)) value.forEach((item, index) => checkTemplateLeaves(item, fieldPath(path, index), issues));
  else if (isJsonObject(value)) for (const [key, item] of Object.entries(value)) checkTemplateLeaves(item, fieldPath(path, key), issues);
}

function checkTemplateText(text: string, path: string, issues: ConfigurationIssue[]): void {
  const compiled = compileTemplate(text, TEMPLATE_ROOTS, REFUSED_TEMPLATE_ROOTS);
  if (compiled instanceof TemplateSyntaxError) issues.push({ path, message: `template: ${compiled.message}` });
}

function parseTrigger(name: string, value: JsonValue, path: string, collect: Collect): TriggerDefinition | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    collect([{ path, message: 'must be a YAML list of conditions (- send: [template])' }]);
    return undefined;
  }
  const issues: ConfigurationIssue[] = [];
  const conditions = value.flatMap((entry, index): TriggerCondition[] => {
    const at = fieldPath(path, index);
    if (!isJsonObject(entry)) {
      issues.push({ path: at, message: 'must be a mapping with send, and optionally when, oncePer and description' });
      return [];
    }
    for (const field of Object.keys(entry))
      if (!TRIGGER_FIELDS.has(field))
        issues.push({ path: fieldPath(at, field), message: 'unknown field (when, send, oncePer, description)' });
    const send = parseNameList(entry.send ?? null, fieldPath(at, 'send'), 'template names', (found) => issues.push(...found));
    if (send.length === 0 && entry.send !== undefined && Array.isArray(entry.send))
      issues.push({ path: fieldPath(at, 'send'), message: 'names no template' });
    if (entry.send === undefined) issues.push({ path: fieldPath(at, 'send'), message: 'is required: the templates to send' });
    const condition: TriggerCondition = { send };
    const when = optionalString(entry, 'when', at, issues);
    if (when !== undefined && when.trim() !== '') {
      const compiled = compileVariableCondition(when, CONDITION_VARIABLES);
      if (compiled instanceof ConditionSyntaxError) issues.push({ path: fieldPath(at, 'when'), message: compiled.message });
      condition.when = when;
    }
    const oncePer = optionalString(entry, 'oncePer', at, issues);
    if (oncePer !== undefined && oncePer !== '') {
      const parsed = parseOncePer(oncePer, CONDITION_VARIABLES);
      if (typeof parsed === 'string') issues.push({ path: fieldPath(at, 'oncePer'), message: parsed });
      condition.oncePer = oncePer;
    }
    const description = optionalString(entry, 'description', at, issues);
    if (description !== undefined) condition.description = description;
    return [condition];
  });
  collect(issues);
  return issues.length === 0 ? { name, conditions } : undefined;
}

function optionalString(entry: JsonObject, field: string, path: string, issues: ConfigurationIssue[]): string | undefined {
  const value = entry[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    issues.push({ path: fieldPath(path, field), message: 'must be a string' });
    return undefined;
  }
  return value;
}

function parseNameList(value: JsonValue, path: string, what: string, collect: Collect): string[] {
  if (value === null) return [];
  if (!Array.isArray(value)) {
    collect([{ path, message: `must be a list of ${what}` }]);
    return [];
  }
  const issues: ConfigurationIssue[] = [];
  const names = value.flatMap((item, index) => {
    if (typeof item === 'string' && NAME.test(item)) return [item];
    issues.push({ path: fieldPath(path, index), message: `must be one of the ${what}` });
    return [];
  });
  collect(issues);
  return names;
}

function parseSubscriptions(value: JsonValue, path: string, collect: Collect): SubscriptionRule[] {
  if (value === null) return [];
  if (!Array.isArray(value)) {
    collect([{ path, message: 'must be a YAML list of subscriptions (- recipients: [slack:channel])' }]);
    return [];
  }
  const issues: ConfigurationIssue[] = [];
  const rules = value.flatMap((entry, index): SubscriptionRule[] => {
    const at = fieldPath(path, index);
    if (!isJsonObject(entry)) {
      issues.push({ path: at, message: 'must be a mapping with recipients, and optionally triggers and selector' });
      return [];
    }
    for (const field of Object.keys(entry))
      if (!SUBSCRIPTION_FIELDS.has(field))
        issues.push({ path: fieldPath(at, field), message: 'unknown field (recipients, triggers, selector)' });
    const recipients = parseRecipients(entry.recipients ?? null, fieldPath(at, 'recipients'), issues);
    const triggers = parseNameList(entry.triggers ?? null, fieldPath(at, 'triggers'), 'trigger names', (found) => issues.push(...found));
    const rule: SubscriptionRule = { recipients, triggers };
    const selector = optionalString(entry, 'selector', at, issues);
    if (selector !== undefined && selector.trim() !== '') {
      const parsed = parseLabelSelector(selector);
      if (typeof parsed === 'string') issues.push({ path: fieldPath(at, 'selector'), message: parsed });
      rule.selector = selector;
    }
    return [rule];
  });
  collect(issues);
  return rules;
}

function parseRecipients(value: JsonValue, path: string, issues: ConfigurationIssue[]): Destination[] {
  if (!Array.isArray(value) || value.length === 0) {
    issues.push({ path, message: 'must list recipients as <service>:<recipient>' });
    return [];
  }
  return value.flatMap((item, index) => {
    if (typeof item !== 'string' || item.trim() === '') {
      issues.push({ path: fieldPath(path, index), message: 'must be <service>:<recipient>' });
      return [];
    }
    return [parseDestination(item)];
  });
}

/** `slack:my-channel` → service `slack`, recipient `my-channel`; `webhook-name` alone has an empty recipient. */
export function parseDestination(text: string): Destination {
  const separator = text.indexOf(':');
  if (separator === -1) return { service: text.trim(), recipient: '' };
  return { service: text.slice(0, separator).trim(), recipient: text.slice(separator + 1).trim() };
}

function parseContext(value: JsonValue, path: string, collect: Collect): Record<string, string> {
  if (value === null) return {};
  if (!isJsonObject(value)) {
    collect([{ path, message: 'must be a YAML mapping of names to values' }]);
    return {};
  }
  const issues: ConfigurationIssue[] = [];
  const context = Object.fromEntries(
    Object.entries(value).flatMap(([key, item]) => {
      if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') return [[key, String(item)]];
      issues.push({ path: fieldPath(path, key), message: 'must be a string' });
      return [];
    }),
  );
  collect(issues);
  return context;
}

/**
 * Reads `argo-rollouts-notification-secret`: `data` is base64 as Kubernetes stores it, `stringData` plain text and
 * preferred for a key in both, as the Kubernetes API merges them.
 * @example parseNotificationSecret({ stringData: { 'slack-token': 'xoxb-1' } }) // => { ok: true, value: { 'slack-token': 'xoxb-1' } }
 */
export function parseNotificationSecret(secret: { data?: unknown; stringData?: unknown }): Parsed<NotificationSecretValues> {
  const issues: ConfigurationIssue[] = [];
  const values: Record<string, string> = {};
  const read = (field: 'data' | 'stringData', decode: (text: string) => string | undefined): void => {
    const source = secret[field];
    if (source === undefined || source === null) return;
    if (typeof source !== 'object' || Array.isArray(source)) {
      issues.push({ path: field, message: 'must be a mapping of keys to values' });
      return;
    }
    for (const [key, encoded] of Object.entries(source as Record<string, unknown>)) {
      const path = fieldPath(field, key);
      if (!/^[-._a-zA-Z0-9]{1,253}$/.test(key)) issues.push({ path, message: 'is not a valid Secret key' });
      else if (typeof encoded !== 'string') issues.push({ path, message: 'must be a string' });
      else if (encoded.length > MAX_SECRET_VALUE_LENGTH * 2)
        issues.push({ path, message: `longer than ${MAX_SECRET_VALUE_LENGTH} characters` });
      else {
        const decoded = decode(encoded);
        if (decoded === undefined) issues.push({ path, message: 'is not valid base64' });
        else if (decoded.length > MAX_SECRET_VALUE_LENGTH)
          issues.push({ path, message: `longer than ${MAX_SECRET_VALUE_LENGTH} characters` });
        else values[key] = decoded;
      }
    }
  };
  read('data', decodeBase64);
  read('stringData', (text) => text);
  if (Object.keys(values).length > MAX_CONFIGURATION_KEYS)
    issues.push({ path: 'data', message: `more than ${MAX_CONFIGURATION_KEYS} keys` });
  return issues.length === 0 ? { ok: true, value: values } : { ok: false, issues };
}

function decodeBase64(text: string): string | undefined {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) return undefined;
  const bytes = Uint8Array.from(atob(compact), (character) => character.charCodeAt(0));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
