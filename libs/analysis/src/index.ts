export * from './condition/compile.js';
