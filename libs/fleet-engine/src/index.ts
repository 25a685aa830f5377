export * from './cluster-selector.js';
export * from './wave-plan.js';
export * from './wave-gate.js';
export * from './fleet-rollout-spec.js';
export * from './release-types.js';
