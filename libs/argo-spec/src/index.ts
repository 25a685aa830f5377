export * from './types.js';
export * from './duration.js';
