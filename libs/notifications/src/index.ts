export * from './json.js';
export * from './configuration-types.js';
export * from './plan-types.js';
export { fieldPath } from './configuration-issues.js';
export type { ConfigurationIssue, Parsed } from './configuration-issues.js';
export { parseNotificationConfigMap, parseNotificationSecret, parseDestination } from './parse-configuration.js';
export { mergeConfigurations, defaultConfiguration, effectiveConfiguration, checkConfigurationReferences } from './merge-configurations.js';
export { resolveSecretReferences, secretValuesFor } from './secret-references.js';
export {
  readAnnotationSubscriptions,
  destinationsByTrigger,
  hasSubscriptionAnnotations,
  type AnnotationSubscription,
} from './subscriptions.js';
export { triggerForReason, triggersForEvent, EVENT_TRIGGERS } from './event-triggers.js';
export { ARGO_DEFAULT_CONFIG_MAP_DATA } from './default-catalog.js';
export { FLEET_DEFAULT_CONFIG_MAP_DATA } from './fleet-catalog.js';
export { FREEZE_DEFAULT_CONFIG_MAP_DATA } from './freeze-catalog.js';
export { planNotifications } from './plan-notifications.js';
export {
  renderTemplate,
  planOnDemand,
  evaluateTrigger,
  ON_DEMAND_TRIGGER,
  type ConditionEvaluation,
  type InspectionFailure,
  type TemplateRenderInput,
} from './inspect-configuration.js';
export { rolloutSubject, type RolloutSubjectInput } from './rollout-subject.js';
export { compileTemplate, TemplateRenderError, TemplateSyntaxError, type CompiledTemplate } from './go-template/index.js';
