export * from './cluster-selector.js';
export * from './wave-plan.js';
export * from './wave-gate.js';
export * from './fleet-rollout-spec.js';
export * from './release-types.js';
export * from './member-observation.js';
export { startRelease, supersedeRelease } from './release-start.js';
export { decideRelease } from './release-decision.js';
export { applyReleaseOperation } from './release-operations.js';
