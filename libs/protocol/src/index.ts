export * from './messages.js';
export * from './decode.js';
export * from './audit-chain.js';
export * from './bounds.js';
