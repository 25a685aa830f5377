export * from './json.js';
export * from './configuration-types.js';
export * from './plan-types.js';
