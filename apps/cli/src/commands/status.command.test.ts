import { describe, expect, it } from 'vitest';
import type { RolloutStatusReading } from '../api/queries.js';
import { ExitCode } from '../cli/cli-error.js';
import { statusLine, statusVerdict } from './status.command.js';

const reading = (phase: string, message: string, generations: [number, number], pending: string[] = []): RolloutStatusReading => ({
  rollout: { phase, message, observedGeneration: generations[0], generation: generations[1] },
  rolloutOperations: [...pending.map((type) => ({ type: type as 'promote', state: 'Pending' })), { type: 'abort', state: 'Applied' }],
});

describe('status', () => {
  it.each([
    { case: 'Healthy and settled', reading: reading('Healthy', '', [2, 2]), verdict: ExitCode.Ok, line: 'Healthy' },
    {
      case: 'Degraded',
      reading: reading('Degraded', 'RolloutAborted: aborted', [2, 2]),
      verdict: ExitCode.TimeoutOrDegraded,
      line: 'Degraded - RolloutAborted: aborted',
    },
    { case: 'Paused', reading: reading('Paused', 'CanaryPauseStep', [2, 2]), verdict: undefined, line: 'Paused - CanaryPauseStep' },
    {
      case: 'Healthy before a set image is taken up',
      reading: reading('Healthy', '', [2, 2], ['setImage']),
      verdict: undefined,
      line: 'Waiting for the rollout engine to carry out setImage',
    },
    {
      case: 'Healthy before a new spec is taken up',
      reading: reading('Healthy', '', [2, 3]),
      verdict: undefined,
      line: 'Waiting for the rollout engine to take up generation 3',
    },
    {
      case: 'Degraded with a retry pending',
      reading: reading('Degraded', 'aborted', [2, 2], ['retry']),
      verdict: undefined,
      line: 'Waiting for the rollout engine to carry out retry',
    },
    {
      case: 'never reconciled',
      reading: reading('Pending', '', [0, 1]),
      verdict: undefined,
      line: 'Waiting for the rollout engine to take up generation 1',
    },
  ])('$case', ({ reading: value, verdict, line }) => {
    expect(statusVerdict(value)).toBe(verdict);
    expect(statusLine(value)).toBe(line);
  });
});
