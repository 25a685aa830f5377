import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../cli/cli-error.js';
import { parseInvocation } from '../cli/program.js';
import { breakGlassArguments, breakGlassCommand } from './freeze.command.js';

const invocation = (tokens: string[]) => parseInvocation(breakGlassCommand, tokens);

describe('break-glass arguments', () => {
  it.each([
    {
      case: 'a rollout, with its cluster and namespace',
      tokens: ['--rollout', 'checkout', '--cluster', 'prod', '--namespace', 'shop', '--reason', 'hotfix', '--duration', '2h'],
      expected: { target: { rolloutName: 'checkout' }, reason: 'hotfix', durationSeconds: 7200 },
    },
    {
      case: 'a FleetRollout',
      tokens: ['--fleet', 'checkout', '--reason', 'CVE fix', '--duration=30m'],
      expected: { target: { fleetRollout: 'checkout' }, reason: 'CVE fix', durationSeconds: 1800 },
    },
    {
      case: 'the shortest and the longest duration',
      tokens: ['--fleet', 'checkout', '--reason', 'r', '--duration', '1m'],
      expected: { target: { fleetRollout: 'checkout' }, reason: 'r', durationSeconds: 60 },
    },
    {
      case: 'a day',
      tokens: ['--fleet', 'checkout', '--reason', 'r', '--duration', '24h'],
      expected: { target: { fleetRollout: 'checkout' }, reason: 'r', durationSeconds: 86_400 },
    },
  ])('reads $case', ({ tokens, expected }) => {
    expect(breakGlassArguments(invocation(tokens))).toEqual(expected);
  });

  it.each([
    { case: 'no target', tokens: ['--reason', 'r', '--duration', '1h'], message: 'exactly one of --rollout NAME and --fleet NAME' },
    {
      case: 'both targets',
      tokens: ['--rollout', 'a', '--fleet', 'b', '--reason', 'r', '--duration', '1h'],
      message: 'exactly one of --rollout NAME and --fleet NAME',
    },
    {
      case: 'a cluster with a fleet',
      tokens: ['--fleet', 'b', '--cluster', 'prod', '--reason', 'r', '--duration', '1h'],
      message: '--fleet takes neither',
    },
    { case: 'no reason', tokens: ['--fleet', 'b', '--duration', '1h'], message: 'needs --reason' },
    { case: 'a blank reason', tokens: ['--fleet', 'b', '--reason', '  ', '--duration', '1h'], message: 'needs --reason' },
    { case: 'no duration', tokens: ['--fleet', 'b', '--reason', 'r'], message: 'needs --duration' },
    { case: 'under a minute', tokens: ['--fleet', 'b', '--reason', 'r', '--duration', '59s'], message: 'between 1m and 24h' },
    { case: 'over a day', tokens: ['--fleet', 'b', '--reason', 'r', '--duration', '25h'], message: 'between 1m and 24h' },
    { case: 'no duration at all', tokens: ['--fleet', 'b', '--reason', 'r', '--duration', 'soon'], message: 'whole seconds' },
    { case: 'a fraction of a second', tokens: ['--fleet', 'b', '--reason', 'r', '--duration', '90.5s'], message: 'whole seconds' },
    {
      case: 'a positional',
      tokens: ['checkout', '--fleet', 'b', '--reason', 'r', '--duration', '1h'],
      message: 'does not take "checkout"',
    },
  ])('refuses $case as a usage error', ({ tokens, message }) => {
    let thrown: unknown;
    try {
      breakGlassArguments(invocation(tokens));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CliError);
    expect((thrown as CliError).exitCode).toBe(ExitCode.Usage);
    expect((thrown as CliError).message).toContain(message);
  });
});
