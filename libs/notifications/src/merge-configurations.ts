import type { NotificationConfiguration } from './configuration-types.js';
import { fieldPath, type ConfigurationIssue } from './configuration-issues.js';
import { ARGO_DEFAULT_CONFIG_MAP_DATA } from './default-catalog.js';
import { FLEET_DEFAULT_CONFIG_MAP_DATA } from './fleet-catalog.js';
import { FREEZE_DEFAULT_CONFIG_MAP_DATA } from './freeze-catalog.js';
import { parseNotificationConfigMap } from './parse-configuration.js';

/**
 * Layers configurations, each extending the ones before it: a service, template or trigger of a later layer replaces
 * the one of the same name, as do its `defaultTriggers` (when it sets them) and its context values; subscriptions add up.
 * @example mergeConfigurations(defaultConfiguration(), organization, namespace)
 */
export function mergeConfigurations(...layers: readonly NotificationConfiguration[]): NotificationConfiguration {
  const merged: NotificationConfiguration = {
    services: {},
    templates: {},
    triggers: {},
    defaultTriggers: [],
    serviceDefaultTriggers: {},
    subscriptions: [],
    context: {},
  };
  for (const layer of layers) {
    Object.assign(merged.services, layer.services);
    Object.assign(merged.templates, layer.templates);
    Object.assign(merged.triggers, layer.triggers);
    Object.assign(merged.serviceDefaultTriggers, layer.serviceDefaultTriggers);
    Object.assign(merged.context, layer.context);
    if (layer.defaultTriggers.length > 0) merged.defaultTriggers = [...layer.defaultTriggers];
    merged.subscriptions.push(...layer.subscriptions);
  }
  return merged;
}

let defaults: NotificationConfiguration | undefined;

/** Argo's default templates and triggers and Flotilla's fleet and break-glass ones: the layer under every organization's own. */
export function defaultConfiguration(): NotificationConfiguration {
  if (defaults === undefined) {
    const parsed = parseNotificationConfigMap(
      {
        ...ARGO_DEFAULT_CONFIG_MAP_DATA,
        ...FLEET_DEFAULT_CONFIG_MAP_DATA,
        ...FREEZE_DEFAULT_CONFIG_MAP_DATA,
      },
      'organization',
    );
    if (!parsed.ok) throw new Error(`the default notification catalog is invalid: ${JSON.stringify(parsed.issues)}`);
    defaults = parsed.value;
  }
  return defaults;
}

/** The configuration a subject of a namespace sees: the defaults, its organization's, then its namespace's. */
export function effectiveConfiguration(
  organization?: NotificationConfiguration,
  namespace?: NotificationConfiguration,
): NotificationConfiguration {
  return mergeConfigurations(defaultConfiguration(), ...(organization ? [organization] : []), ...(namespace ? [namespace] : []));
}

/**
 * Names a merged configuration uses but does not define: templates a trigger sends, triggers `defaultTriggers` and
 * `subscriptions` name, services `subscriptions` send to. Paths are those of the ConfigMap key that uses them.
 */
export function checkConfigurationReferences(configuration: NotificationConfiguration): ConfigurationIssue[] {
  const issues: ConfigurationIssue[] = [];
  for (const trigger of Object.values(configuration.triggers))
    trigger.conditions.forEach((condition, index) =>
      condition.send.forEach((template, position) => {
        if (!Object.hasOwn(configuration.templates, template))
          issues.push({
            path: fieldPath(fieldPath(fieldPath(fieldPath('data', `trigger.${trigger.name}`), index), 'send'), position),
            message: `template "${template}" is not defined`,
          });
      }),
    );
  const checkTriggers = (triggers: readonly string[], path: string): void =>
    triggers.forEach((trigger, position) => {
      if (!Object.hasOwn(configuration.triggers, trigger))
        issues.push({ path: fieldPath(path, position), message: `trigger "${trigger}" is not defined` });
    });
  checkTriggers(configuration.defaultTriggers, 'data.defaultTriggers');
  for (const [service, triggers] of Object.entries(configuration.serviceDefaultTriggers))
    checkTriggers(triggers, fieldPath('data', `defaultTriggers.${service}`));
  configuration.subscriptions.forEach((rule, index) => {
    const path = fieldPath('data.subscriptions', index);
    checkTriggers(rule.triggers, fieldPath(path, 'triggers'));
    rule.recipients.forEach((destination, position) => {
      if (!Object.hasOwn(configuration.services, destination.service))
        issues.push({
          path: fieldPath(fieldPath(path, 'recipients'), position),
          message: `service "${destination.service}" is not defined`,
        });
    });
  });
  return issues;
}
