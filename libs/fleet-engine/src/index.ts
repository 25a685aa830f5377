export * from './cluster-selector.js';
export * from './wave-plan.js';
