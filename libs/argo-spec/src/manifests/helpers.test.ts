import { describe, expect, it } from 'vitest';
import type { LabelSelector } from '../types.js';
import { isDns1123Subdomain } from '../kubernetes-names.js';
import { checkGoDuration } from './durations.js';
import { IssueList } from './issues.js';
import { isRfc3339 } from './rollout-rules.js';
import { selectorMatches } from './selectors.js';
import { readYamlDocuments } from './yaml-documents.js';

describe('isRfc3339', () => {
  it.each(['2024-05-01T10:00:00Z', '2024-02-29T23:59:59.123+05:30', '2024-05-01t10:00:00z'])('accepts %s', (text) => {
    expect(isRfc3339(text)).toBe(true);
  });

  it.each([
    '2024-05-01',
    '2024-05-01 10:00:00Z',
    '2023-02-29T10:00:00Z',
    '2024-13-01T10:00:00Z',
    '2024-05-01T24:00:00Z',
    '2024-05-01T10:00:00+25:00',
    'yesterday',
  ])('refuses %s', (text) => {
    expect(isRfc3339(text)).toBe(false);
  });
});

describe('isDns1123Subdomain', () => {
  it.each([
    ['checkout', true],
    ['checkout-api.v2', true],
    ['a'.repeat(253), true],
    ['a'.repeat(254), false],
    ['Checkout', false],
    ['-checkout', false],
    ['checkout.', false],
    ['check_out', false],
    ['', false],
  ])('%s is %s', (text, expected) => {
    expect(isDns1123Subdomain(text)).toBe(expected);
  });
});

describe('selectorMatches', () => {
  const labels = { app: 'web', tier: 'front' };
  it.each([
    [{ matchLabels: { app: 'web' } }, true],
    [{ matchLabels: { app: 'api' } }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, false],
    [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['eu'] }] }, true],
    [{ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, true],
    [{ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, false],
  ] satisfies [LabelSelector, boolean][])('%j selects the pod: %s', (selector, expected) => {
    expect(selectorMatches(selector, labels)).toBe(expected);
  });
});

describe('checkGoDuration', () => {
  const issuesFor = (text: string, options: { positive: boolean; allowPlaceholder: boolean }): string[] => {
    const issues = new IssueList();
    checkGoDuration(text, 'interval', issues, options);
    return issues.items.map((issue) => issue.message);
  };

  it.each([
    ['30s', { positive: true, allowPlaceholder: false }, []],
    ['0s', { positive: false, allowPlaceholder: false }, []],
    ['0s', { positive: true, allowPlaceholder: false }, ['must be greater than zero, not "0s"']],
    ['{{args.interval}}', { positive: true, allowPlaceholder: true }, []],
    [
      '{{args.interval}}',
      { positive: true, allowPlaceholder: false },
      ['"{{args.interval}}" is not a duration such as "30s", "5m" or "1h30m"'],
    ],
    ['-1m', { positive: false, allowPlaceholder: true }, ['must be non-negative, not "-1m"']],
  ] as const)('%s with %j', (text, options, expected) => {
    expect(issuesFor(text, options)).toEqual(expected);
  });
});

describe('readYamlDocuments', () => {
  it('skips documents without content and keeps unreadable ones in place', () => {
    const documents = readYamlDocuments('---\na: 1\n---\n# only a comment\n---\n~\n---\nb: [1\n---\nc: 3\n---\n');
    expect(documents).toEqual([
      { readable: true, value: { a: 1 } },
      { readable: false, issues: [{ path: '', message: expect.stringMatching(/^invalid YAML at line \d+, column \d+: /) as unknown }] },
      { readable: true, value: { c: 3 } },
    ]);
  });

  it('reads YAML 1.2, where yes and on stay strings', () => {
    expect(readYamlDocuments('enabled: yes\nmode: on\n')).toEqual([{ readable: true, value: { enabled: 'yes', mode: 'on' } }]);
  });

  it('refuses aliases that would expand without bound', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 8; level++) {
      lines.push(
        `${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + level)}`)
          .join(', ')}]`,
      );
    }
    const [document] = readYamlDocuments(lines.join('\n'));
    expect(document).toEqual({ readable: false, issues: [{ path: '', message: expect.stringContaining('invalid YAML') as unknown }] });
  });
});
