export * from './errors.js';
export * from './logger.js';
export * from './probes.js';
export * from './process-lifecycle.js';
export * from './redis.js';
export * from './secrets.js';
export * from './config/settings.js';
export * from './websocket-text.js';
