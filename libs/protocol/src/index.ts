export * from './messages.js';
export * from './decode.js';
export * from './bounds.js';
