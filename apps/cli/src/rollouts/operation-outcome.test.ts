import { describe, expect, it } from 'vitest';
import { operationOutcomeLine } from './operation-outcome.js';

describe('operationOutcomeLine', () => {
  it.each([
    {
      outcome: { id: 'op1', state: 'Refused', message: 'the rollout is fully promoted: nothing to promote' },
      expected: { exitCode: 1, line: 'promote refused: the rollout is fully promoted: nothing to promote' },
    },
    { outcome: { id: 'op1', state: 'Refused', message: null }, expected: { exitCode: 1, line: 'promote refused: no reason given' } },
    { outcome: { id: 'op1', state: 'Applied', message: null }, expected: { exitCode: 0, line: 'promote applied' } },
    {
      outcome: { id: 'op1', state: 'Pending', message: null },
      expected: { exitCode: 0, line: 'promote still Pending after 5s; "flotilla status" follows the rollout' },
    },
  ])('$outcome.state: exit $expected.exitCode', ({ outcome, expected }) => {
    expect(operationOutcomeLine(outcome, 'promote', '5s')).toEqual(expected);
  });
});
