import { describe, expect, it } from 'vitest';
import { parseRecipients, renderEvaluation, templatePreview } from './notification-view.js';

const PLAIN = { bold: String, dim: String, green: String, red: String, yellow: String, cyan: String };

describe('parseRecipients', () => {
  it.each([
    [['slack:releases'], [{ service: 'slack', recipient: 'releases' }]],
    [['webhook'], [{ service: 'webhook', recipient: '' }]],
    [['email:ops@example.com:x'], [{ service: 'email', recipient: 'ops@example.com:x' }]],
  ])('%j', (values, expected) => {
    expect(parseRecipients(values)).toEqual(expected);
  });

  it('refuses a recipient without its service', () => {
    expect(() => parseRecipients([':general'])).toThrow('--recipient takes SERVICE:RECIPIENT, not ":general"');
  });
});

describe('templatePreview', () => {
  it.each([
    [
      { message: 'Rollout {{.rollout.metadata.name}} has been completed.\n', title: null },
      'Rollout {{.rollout.metadata.name}} has been completed.',
    ],
    [{ message: null, title: 'Deployed' }, 'Deployed'],
    [{ message: `first line ${'x'.repeat(80)}\nsecond`, title: null }, `first line ${'x'.repeat(46)}...`],
    [{ message: null, title: null }, ''],
  ])('%j', (template, expected) => {
    expect(templatePreview(template)).toBe(expected);
  });
});

describe('renderEvaluation', () => {
  it('prints CONDITION and RESULT, an unreadable condition with its error, and SEND when wide', () => {
    const evaluation = {
      trigger: 'on-purple',
      rollout: 'staging/shop/guestbook',
      conditions: [
        { when: null, send: ['a'], oncePer: null, description: null, holds: true, error: null },
        { when: "event.type == 'x'", send: ['b', 'c'], oncePer: null, description: null, holds: false, error: 'event is not set' },
      ],
    };
    expect(renderEvaluation(evaluation, PLAIN, false)).toBe(
      "CONDITION           RESULT\n(always)            true\nevent.type == 'x'   error: event is not set\n",
    );
    expect(renderEvaluation(evaluation, PLAIN, true)).toBe(
      "CONDITION           RESULT                    SEND\n(always)            true                      a\nevent.type == 'x'   error: event is not set   b, c\n",
    );
  });
});
