export * from './cluster-selector.js';
export * from './wave-plan.js';
export * from './wave-gate.js';
