import { describe, expect, it } from 'vitest';
import { reasonText } from './audit.command.js';

describe('reasonText', () => {
  it.each([
    { action: 'rollout.promote', reason: 'looks good', after: null, text: 'looks good' },
    { action: 'rollout.promote', reason: null, after: { operation: 'promote' }, text: '' },
    {
      action: 'rollout.operation_refused',
      reason: null,
      after: { operation: 'promote', requestedBy: 'token:ci', message: 'the rollout is fully promoted: nothing to promote' },
      text: 'promote refused: the rollout is fully promoted: nothing to promote',
    },
    { action: 'rollout.operation_refused', reason: 'release', after: { operation: 'abort' }, text: 'release; abort refused' },
    { action: 'rollout.operation_refused', reason: null, after: 'garbled', text: '' },
  ])('$action with $after: "$text"', ({ action, reason, after, text }) => {
    expect(reasonText({ action, reason, after })).toBe(text);
  });
});
