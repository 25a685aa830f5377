export * from './event-bus.js';
export * from './measurement-requests.js';
export * from './topics.js';
