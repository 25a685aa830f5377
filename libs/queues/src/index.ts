export * from './analysis-queue.js';
export * from './fleet-reconcile-queue.js';
export * from './reconcile-queue.js';
export * from './trigger-queue.js';
export * from './queue-depths.js';
export * from './notification-queue.js';
