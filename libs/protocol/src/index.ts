export * from './messages.js';
export * from './decode.js';
