export * from './analysis-queue.js';
export * from './reconcile-queue.js';
