import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../cli/cli-error.js';
import { applyLabelChanges, parseLabelChanges, type LabelChanges, type LabelOutcome } from './label-changes.js';

const refusal = (act: () => unknown): CliError => {
  try {
    act();
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error('nothing was refused');
};

describe('parseLabelChanges', () => {
  it.each([
    { args: ['tier=canary'], set: { tier: 'canary' }, remove: [] },
    { args: ['query=a=b', 'empty='], set: { query: 'a=b', empty: '' }, remove: [] },
    { args: ['legacy-', 'region=eu', 'legacy-'], set: { region: 'eu' }, remove: ['legacy'] },
    { args: ['flotilla.io/tier-'], set: {}, remove: ['flotilla.io/tier'] },
    { args: ['tier=canary', 'tier=canary'], set: { tier: 'canary' }, remove: [] },
    { args: ['note=ends-with-'], set: { note: 'ends-with-' }, remove: [] },
    { args: ['__proto__=x'], set: { ['__proto__']: 'x' }, remove: [] },
  ])('reads $args', ({ args, set, remove }) => {
    const changes = parseLabelChanges(args);
    expect(changes).toEqual({ set, remove });
    expect(Object.getPrototypeOf(changes.set)).toBe(Object.prototype);
  });

  it.each([
    { args: [], message: 'clusters label needs at least one key=value or key-' },
    { args: ['tier'], message: 'clusters label takes key=value to set a label or key- to remove one, not "tier"' },
    { args: ['=canary'], message: 'not "=canary"' },
    { args: ['-'], message: 'not "-"' },
    { args: ['tier=canary', 'tier=stable'], message: 'the label tier is given two values, "canary" and "stable"' },
    { args: ['tier=canary', 'tier-'], message: 'the label tier cannot be both set and removed in one command' },
  ])('refuses $args as a usage error', ({ args, message }) => {
    const error = refusal(() => parseLabelChanges(args));
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.message).toContain(message);
  });
});

describe('applyLabelChanges', () => {
  const current = { tier: 'canary', region: 'eu' };

  it.each<{ case: string; changes: LabelChanges; overwrite: boolean; outcome: LabelOutcome }>([
    {
      case: 'adds a label, keeping the others',
      changes: { set: { team: 'shop' }, remove: [] },
      overwrite: false,
      outcome: { labels: { tier: 'canary', region: 'eu', team: 'shop' }, changed: true, missing: [] },
    },
    {
      case: 'removes a label',
      changes: { set: {}, remove: ['region'] },
      overwrite: false,
      outcome: { labels: { tier: 'canary' }, changed: true, missing: [] },
    },
    {
      case: 'setting the value a label has already is no change and needs no --overwrite',
      changes: { set: { tier: 'canary' }, remove: [] },
      overwrite: false,
      outcome: { labels: current, changed: false, missing: [] },
    },
    {
      case: 'removing a label the cluster lacks is no change, reported as missing',
      changes: { set: {}, remove: ['legacy'] },
      overwrite: false,
      outcome: { labels: current, changed: false, missing: ['legacy'] },
    },
    {
      case: 'changes a value with --overwrite',
      changes: { set: { tier: 'stable' }, remove: ['region'] },
      overwrite: true,
      outcome: { labels: { tier: 'stable' }, changed: true, missing: [] },
    },
  ])('$case', ({ changes, overwrite, outcome }) => {
    expect(applyLabelChanges(current, changes, overwrite)).toEqual(outcome);
  });

  it('refuses to change a value without --overwrite, naming each label and its value, as kubectl does', () => {
    const error = refusal(() => applyLabelChanges(current, { set: { tier: 'stable', region: 'us', team: 'shop' }, remove: [] }, false));
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.message).toBe("'tier' already has a value (canary); 'region' already has a value (eu), and --overwrite is false");
    expect(error.details).toEqual(['pass --overwrite to change it']);
  });

  it('leaves the current labels as they were', () => {
    const before = { ...current };
    applyLabelChanges(current, { set: { tier: 'stable' }, remove: ['region'] }, true);
    expect(current).toEqual(before);
  });
});
