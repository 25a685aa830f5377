import { describe, expect, it } from 'vitest';
import type { FleetReleasePhase, FleetReleaseReading } from '../api/fleet-queries.js';
import { ExitCode } from '../cli/cli-error.js';
import { releaseStatusLine, releaseVerdict } from './release-status.js';

describe('releaseVerdict', () => {
  it.each<[FleetReleasePhase, ExitCode | undefined]>([
    ['Progressing', undefined],
    ['Paused', undefined],
    ['RollingBack', undefined],
    ['Succeeded', ExitCode.Ok],
    ['Halted', ExitCode.TimeoutOrDegraded],
    ['Aborted', ExitCode.TimeoutOrDegraded],
    ['RolledBack', ExitCode.TimeoutOrDegraded],
    ['Superseded', ExitCode.TimeoutOrDegraded],
  ])('%s: %s', (phase, exitCode) => {
    expect(releaseVerdict(phase)).toBe(exitCode);
  });

  it('exits with the codes of status: 5 is the one status exits with for Degraded and timeouts', () => {
    expect(ExitCode.TimeoutOrDegraded).toBe(5);
  });
});

describe('releaseStatusLine', () => {
  const reading = (
    phase: FleetReleasePhase,
    currentWave: number,
    message = '',
    supersededBy: number | null = null,
  ): FleetReleaseReading => ({
    number: 3,
    phase,
    message,
    currentWave,
    supersededBy,
    waves: [{ name: 'canary' }, { name: 'eu' }, { name: 'rest' }],
  });

  it.each([
    { reading: reading('Progressing', 0), line: 'Progressing (wave 1/3 canary)' },
    { reading: reading('Paused', 1, 'paused by token:deployer'), line: 'Paused (wave 2/3 eu) - paused by token:deployer' },
    { reading: reading('Halted', 2, 'member prod-us failed'), line: 'Halted (wave 3/3 rest) - member prod-us failed' },
    { reading: reading('Succeeded', 3, 'every wave passed'), line: 'Succeeded - every wave passed' },
    { reading: reading('Aborted', 1, 'aborted'), line: 'Aborted - aborted' },
    { reading: reading('Superseded', 1, '', 4), line: 'Superseded by release 4' },
  ])('$line', ({ reading: value, line }) => {
    expect(releaseStatusLine(value)).toBe(line);
  });
});
