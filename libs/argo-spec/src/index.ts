export * from './types.js';
export * from './duration.js';
export { jsonEqual } from './json-equal.js';
export type { ManifestIssue } from './manifests/issues.js';
export { argumentsToPass, parseManifests, type ManifestParseResult, type ValidationContext } from './manifests/parse-manifests.js';
export { imageReferenceProblem, parseImageReference, type ImageReference, type ImageReferenceResult } from './image-reference.js';
export * from './kubernetes-names.js';
export * from './limits.js';
export { selectorMatches } from './manifests/selectors.js';
