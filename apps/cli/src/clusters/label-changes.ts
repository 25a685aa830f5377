import { CliError, ExitCode, usageError } from '../cli/cli-error.js';

/** What `clusters label` was asked to do: labels to set, and keys to remove (`key-`). */
export interface LabelChanges {
  set: Record<string, string>;
  remove: string[];
}

/**
 * Reads the arguments of `clusters label` as kubectl does: `key=value` sets a label (the value may be empty or
 * hold `=`), `key-` removes one. A key both set and removed, or set twice to different values, is refused.
 * @example
 * parseLabelChanges(['tier=canary', 'region=eu', 'legacy-'])
 * // => { set: { tier: 'canary', region: 'eu' }, remove: ['legacy'] }
 */
export function parseLabelChanges(args: readonly string[]): LabelChanges {
  if (args.length === 0) throw usageError('clusters label needs at least one key=value or key-');
  const set = new Map<string, string>();
  const remove: string[] = [];
  for (const arg of args) {
    const equals = arg.indexOf('=');
    if (equals > 0) {
      const key = arg.slice(0, equals);
      const value = arg.slice(equals + 1);
      const earlier = set.get(key);
      if (earlier !== undefined && earlier !== value) throw usageError(`the label ${key} is given two values, "${earlier}" and "${value}"`);
      set.set(key, value);
    } else if (equals < 0 && arg.length > 1 && arg.endsWith('-')) {
      const key = arg.slice(0, -1);
      if (!remove.includes(key)) remove.push(key);
    } else {
      throw usageError(`clusters label takes key=value to set a label or key- to remove one, not "${arg}"`);
    }
  }
  const both = remove.filter((key) => set.has(key));
  if (both.length > 0) throw usageError(`the label ${both.join(', ')} cannot be both set and removed in one command`);
  return { set: Object.fromEntries(set), remove };
}

/** The labels a cluster ends up with, and which of the keys to remove it did not have. */
export interface LabelOutcome {
  labels: Record<string, string>;
  changed: boolean;
  /** Keys asked to be removed that the cluster had no label for: kubectl warns about them and goes on. */
  missing: string[];
}

/**
 * The whole label set after `changes`, as `updateClusterLabels` takes it. Changing the value of an existing label
 * needs `overwrite`, as with kubectl; setting a label to the value it has already is no change.
 * @example
 * applyLabelChanges({ tier: 'canary', legacy: 'yes' }, { set: { region: 'eu' }, remove: ['legacy'] }, false)
 * // => { labels: { tier: 'canary', region: 'eu' }, changed: true, missing: [] }
 */
export function applyLabelChanges(current: Readonly<Record<string, string>>, changes: LabelChanges, overwrite: boolean): LabelOutcome {
  const before = new Map(Object.entries(current));
  if (!overwrite) {
    const conflicts = Object.entries(changes.set).flatMap(([key, value]) => {
      const existing = before.get(key);
      return existing !== undefined && existing !== value ? [`'${key}' already has a value (${existing})`] : [];
    });
    if (conflicts.length > 0)
      throw new CliError(ExitCode.Usage, `${conflicts.join('; ')}, and --overwrite is false`, ['pass --overwrite to change it']);
  }
  const after = new Map([...before, ...Object.entries(changes.set)]);
  const missing = changes.remove.filter((key) => !before.has(key));
  for (const key of changes.remove) after.delete(key);
  const changed = after.size !== before.size || [...after].some(([key, value]) => before.get(key) !== value);
  return { labels: Object.fromEntries(after), changed, missing };
}
