/** Dependency-injection tokens of the infrastructure providers. */
export const DATABASE = Symbol('DATABASE');
/**
 * The pool of the hand-written SQL: the agent gateway's reports and heartbeats, and people's operations on a rollout
 * (`RolloutStore.recordAgentReport`, `ClusterStore.recordHeartbeat`, `RolloutStore.requestOperation`).
 */
export const SQL = Symbol('SQL');
export const REDIS = Symbol('REDIS');
export const EVENT_BUS = Symbol('EVENT_BUS');
export const API_CONFIG = Symbol('API_CONFIG');
export const LOGGER = Symbol('LOGGER');
export const RECONCILE_QUEUE = Symbol('RECONCILE_QUEUE');
export const ANALYSIS_QUEUE = Symbol('ANALYSIS_QUEUE');
export const FLEET_RECONCILE_QUEUE = Symbol('FLEET_RECONCILE_QUEUE');
export const NOTIFICATION_QUEUE = Symbol('NOTIFICATION_QUEUE');
/** The `AuditSigner` of AUDIT_SIGNING_KEY_FILE, or null when checkpoints are off. */
export const AUDIT_SIGNER = Symbol('AUDIT_SIGNER');
