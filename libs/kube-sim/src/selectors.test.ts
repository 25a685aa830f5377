import { describe, expect, it } from 'vitest';
import { matchesFields, parseFieldSelector } from './field-selector.js';
import { formatLabelSelector, matchesLabels, parseLabelSelector, SelectorSyntaxError } from './label-selector.js';

const labels = { app: 'web', tier: 'front', env: 'prod', replicas: '3' };

describe('label selectors', () => {
  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app = web', true],
    ['app=db', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['env in (prod,staging)', true],
    ['env in (dev, staging)', false],
    ['env notin (dev,staging)', true],
    ['missing notin (a)', true],
    ['tier', true],
    ['canary', false],
    ['!canary', true],
    ['!app', false],
    ['replicas>2', true],
    ['replicas<3', false],
    ['app=web,tier!=db,env in (prod),!canary,tier', true],
    ['app=web,canary', false],
  ])('%j matches the labels: %s', (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it.each(['app in (a', 'app in a', '!', 'app=web,', 'app ~ x', 'replicas>x'])('refuses %j', (selector) => {
    expect(() => parseLabelSelector(selector)).toThrow(SelectorSyntaxError);
  });

  it('reads an empty value as the empty string', () => {
    expect(matchesLabels(parseLabelSelector('app='), { app: '' })).toBe(true);
    expect(matchesLabels(parseLabelSelector('app='), labels)).toBe(false);
  });

  it('formats requirements back into selector text', () => {
    const text = 'app=web,tier!=db,env in (a,b),env notin (c),!canary,track';
    expect(formatLabelSelector(parseLabelSelector(text))).toBe(text);
  });
});

describe('field selectors', () => {
  const fields: Record<string, string> = { 'metadata.name': 'web-1', 'status.phase': 'Running', 'metadata.namespace': 'a,b' };
  const read = (field: string): string => fields[field] ?? '';

  it.each([
    ['metadata.name=web-1', true],
    ['metadata.name==web-1', true],
    ['metadata.name!=web-1', false],
    ['metadata.name=web-1,status.phase=Running', true],
    ['metadata.name=web-1,status.phase!=Running', false],
    ['metadata.namespace=a\\,b', true],
    ['', true],
  ])('%j matches: %s', (selector, expected) => {
    expect(matchesFields(parseFieldSelector(selector), read)).toBe(expected);
  });

  it('refuses a term without an operator', () => {
    expect(() => parseFieldSelector('metadata.name')).toThrow(SelectorSyntaxError);
  });
});
