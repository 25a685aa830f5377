/**
 * Bounds Flotilla sets on what it accepts, beyond Kubernetes' and Argo's own rules; docs/differences-from-argo.md
 * lists each one with what upstream does.
 */

/** Labels on one object or pod template; Kubernetes sets no count, only the size of the whole object. */
export const MAX_LABELS = 64;
/** Annotations on one object or pod template; Kubernetes bounds only their total size (256 KiB). */
export const MAX_ANNOTATIONS = 64;
/** How deeply a manifest may nest objects and lists; real manifests stay under 20. */
export const MAX_NESTING_DEPTH = 64;
/** Waves of one FleetRollout; a fleet is released in a handful of them. */
export const MAX_FLEET_WAVES = 50;
/** Seconds a fleet waits for a disconnected cluster before its member fails: at most a day. */
export const MAX_DISCONNECTED_TIMEOUT_SECONDS = 86_400;
/** Seconds a wave soaks before it passes: at most a week. */
export const MAX_SOAK_SECONDS = 604_800;
/** Namespaces one FreezeWindow may name. */
export const MAX_FREEZE_NAMESPACES = 100;
/** Characters of a reason given to an operation (setImage, promote, abort, …), kept in the audit record. */
export const MAX_REASON_LENGTH = 1024;
/** Characters of a dryRun or measurementRetention `metricName` pattern; metric names themselves are rarely over 60. */
export const MAX_METRIC_NAME_PATTERN_LENGTH = 253;
/** Seconds a pause or any other int32 duration can last: 2^31 - 1, about 68 years, as Argo's `int32` seconds. */
export const MAX_INT32 = 2_147_483_647;
/** The longest Go `time.Duration`, in milliseconds: 2^63 - 1 nanoseconds, about 292 years (`2562047h47m16.854775807s`). */
export const MAX_GO_DURATION_MILLISECONDS = 9_223_372_036_854.775;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a text cannot be stored or sent on: it holds NUL or half of a UTF-16 surrogate pair, which no JSON store or YAML printer keeps. */
export function unstorableTextProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain the NUL character';
  // A lone surrogate is not a character: it cannot be encoded as UTF-8.
  if (LONE_SURROGATE.test(text)) return 'must not contain a lone UTF-16 surrogate';
  return undefined;
}
