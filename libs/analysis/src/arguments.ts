import type { AnalysisRunArgument, SecretKeyRef, TemplateArgument } from '@flotilla/argo-spec';
import { replacePlaceholders } from './placeholders.js';
import type { RunArgument } from './run-types.js';

export type ArgumentErrorReason = 'missing' | 'unknown' | 'unresolved-field' | 'unresolved-pod-template-hash';

/** An argument that cannot be merged, resolved or substituted; `argument` names it. */
export class ArgumentError extends Error {
  override readonly name = 'ArgumentError';

  constructor(
    readonly reason: ArgumentErrorReason,
    readonly argument: string,
    message: string,
  ) {
    super(message);
  }
}

/** Argument values by name, ready for substitution. */
export type ResolvedArguments = Readonly<Record<string, string>>;

export interface ArgumentContext {
  /** Pod template hashes of the stable and the latest ReplicaSet, for `podTemplateHashValue`. */
  podTemplateHash?: { stable?: string; latest?: string };
  /** Values of `fieldRef` paths (`metadata.labels['env']`, `status.alb.canaryTargetGroup.name`) the caller read. */
  fieldValues?: Readonly<Record<string, string>>;
}

const SECRET_MARKER = /\$\(flotilla-secret:([^/()\s]+)\/([^/()\s]+)\)/g;

/**
 * The opaque marker that stands for a Secret's value. The control plane never sees secret values: the
 * in-cluster agent replaces markers just before it measures (see {@link replaceSecretMarkers}).
 * @example secretMarker({ name: 'token-secret', key: 'apiToken' }) === '$(flotilla-secret:token-secret/apiToken)'
 */
export function secretMarker(reference: SecretKeyRef): string {
  return `$(flotilla-secret:${reference.name}/${reference.key})`;
}

/** Every secret a text refers to through markers. @example findSecretMarkers('Bearer $(flotilla-secret:t/k)') // [{ name: 't', key: 'k' }] */
export function findSecretMarkers(text: string): SecretKeyRef[] {
  return [...text.matchAll(SECRET_MARKER)].map((match) => ({ name: match[1] as string, key: match[2] as string }));
}

/**
 * Replaces secret markers with the values `lookup` returns; the first secret it cannot find is returned instead.
 * @example replaceSecretMarkers('Bearer $(flotilla-secret:t/k)', () => 's3cr3t') === 'Bearer s3cr3t'
 */
export function replaceSecretMarkers(
  text: string,
  lookup: (reference: SecretKeyRef) => string | undefined,
): string | { missing: SecretKeyRef } {
  let missing: SecretKeyRef | undefined;
  const replaced = text.replace(SECRET_MARKER, (marker, name: string, key: string) => {
    const value = lookup({ name, key });
    missing ??= value === undefined ? { name, key } : undefined;
    return value ?? marker;
  });
  return missing ? { missing } : replaced;
}

/**
 * Merges the arguments a rollout or experiment passes with those a template declares, as Argo's
 * `MergeArgs`: a passed value replaces the default, a passed `valueFrom` replaces the template's; passed
 * arguments the template does not declare are ignored. An argument left with neither is an error.
 * @example
 * mergeArguments([{ name: 'service' }, { name: 'port', value: '9090' }], [{ name: 'service', value: 'web' }])
 * // [{ name: 'service', value: 'web' }, { name: 'port', value: '9090' }]
 */
export function mergeArguments(
  templateArgs: readonly (TemplateArgument | RunArgument)[],
  runArgs: readonly AnalysisRunArgument[],
): RunArgument[] | ArgumentError {
  const merged: RunArgument[] = templateArgs.map((argument) => ({ ...argument }));
  for (const passed of runArgs) {
    const target = merged.find((argument) => argument.name === passed.name);
    if (!target) continue;
    if (passed.value !== undefined) target.value = passed.value;
    else if (passed.valueFrom !== undefined) target.valueFrom = passed.valueFrom;
  }
  const unresolved = merged.find((argument) => argument.value === undefined && argument.valueFrom === undefined);
  if (unresolved) return new ArgumentError('missing', unresolved.name, `args.${unresolved.name} was not resolved`);
  return merged;
}

/**
 * Resolves every argument of a run to a string: literal values, pod template hashes and field values
 * from the context, and secret references to {@link secretMarker}s (a secret reference wins over a value,
 * as upstream). A required argument nobody supplied is an error naming it.
 * @example
 * resolveArguments([{ name: 'hash' }], [{ name: 'hash', valueFrom: { podTemplateHashValue: 'Latest' } }],
 *   { podTemplateHash: { latest: '7f9c' } })
 * // { hash: '7f9c' }
 */
export function resolveArguments(
  templateArgs: readonly (TemplateArgument | RunArgument)[],
  runArgs: readonly AnalysisRunArgument[],
  context: ArgumentContext,
): ResolvedArguments | ArgumentError {
  const merged = mergeArguments(templateArgs, runArgs);
  if (merged instanceof ArgumentError) return merged;
  const resolved: Record<string, string> = {};
  for (const argument of merged) {
    const value = resolveArgument(argument, context);
    if (value instanceof ArgumentError) return value;
    resolved[argument.name] = value;
  }
  return resolved;
}

function resolveArgument(argument: RunArgument, context: ArgumentContext): string | ArgumentError {
  const { valueFrom } = argument;
  if (valueFrom?.secretKeyRef) return secretMarker(valueFrom.secretKeyRef);
  if (argument.value !== undefined) return argument.value;
  if (valueFrom?.podTemplateHashValue) {
    const side = valueFrom.podTemplateHashValue === 'Stable' ? 'stable' : 'latest';
    const hash = context.podTemplateHash?.[side];
    if (hash === undefined) {
      return new ArgumentError(
        'unresolved-pod-template-hash',
        argument.name,
        `args.${argument.name}: no ${side} pod template hash is known`,
      );
    }
    return hash;
  }
  const path = valueFrom?.fieldRef?.fieldPath ?? '';
  const fieldValues = context.fieldValues ?? {};
  const value = Object.hasOwn(fieldValues, path) ? fieldValues[path] : undefined;
  if (value === undefined) return new ArgumentError('unresolved-field', argument.name, `args.${argument.name}: field ${path} has no value`);
  return value;
}

/**
 * Replaces `{{args.name}}` in every string of a value (keys included), as Argo resolves a metric before
 * measuring. A placeholder naming an unknown argument is an error; the value itself is not changed.
 * @example
 * substituteArgs({ query: 'up{service="{{args.service}}"}' }, { service: 'web' })
 * // { query: 'up{service="web"}' }
 */
export function substituteArgs<T>(value: T, args: ResolvedArguments): T | ArgumentError {
  try {
    return substitute(value, args) as T;
  } catch (error) {
    if (error instanceof ArgumentError) return error;
    throw error;
  }
}

function substitute(value: unknown, args: ResolvedArguments): unknown {
  if (typeof value === 'string') {
    const replaced = replacePlaceholders(value, args);
    if (replaced.unresolved) {
      const { argument, tag } = replaced.unresolved;
      throw new ArgumentError('unknown', argument ?? tag.trim(), `failed to resolve {{${tag}}}`);
    }
    return replaced.text;
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, args));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [substitute(key, args), substitute(item, args)]));
  }
  return value;
}
