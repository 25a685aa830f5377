export type LabelOperator = 'Exists' | 'DoesNotExist' | 'Equals' | 'NotEquals' | 'In' | 'NotIn' | 'GreaterThan' | 'LessThan';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: readonly string[];
}

export class SelectorSyntaxError extends Error {
  constructor(
    readonly selector: string,
    readonly position: number,
    reason: string,
  ) {
    super(`unable to parse requirement: ${reason} at position ${position} of "${selector}"`);
    this.name = 'SelectorSyntaxError';
  }
}

const WORD = /[A-Za-z0-9._\-/]*/y;

/**
 * Parses a label selector in the API server's string syntax; an empty text selects everything.
 * @example parseLabelSelector('app=web,tier!=db,env in (a,b),!canary,track')
 *   // → Equals app [web], NotEquals tier [db], In env [a,b], DoesNotExist canary, Exists track
 */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  const requirements: LabelRequirement[] = [];
  let position = 0;
  const fail = (reason: string): never => {
    throw new SelectorSyntaxError(selector, position, reason);
  };
  const skipSpaces = (): void => {
    while (selector[position] === ' ') position += 1;
  };
  const readWord = (): string => {
    WORD.lastIndex = position;
    const word = WORD.exec(selector)?.[0] ?? '';
    position += word.length;
    return word;
  };
  const readKey = (): string => {
    skipSpaces();
    const key = readWord();
    if (key === '') fail('expected a label key');
    return key;
  };
  const readValues = (): string[] => {
    skipSpaces();
    if (selector[position] !== '(') fail("expected '('");
    position += 1;
    const values: string[] = [];
    for (;;) {
      skipSpaces();
      values.push(readWord());
      skipSpaces();
      const next = selector[position];
      position += 1;
      if (next === ')') return values;
      if (next !== ',') fail("expected ',' or ')'");
    }
  };

  skipSpaces();
  if (position === selector.length) return requirements;
  for (;;) {
    skipSpaces();
    if (selector[position] === '!') {
      position += 1;
      requirements.push({ key: readKey(), operator: 'DoesNotExist', values: [] });
    } else {
      const key = readKey();
      skipSpaces();
      const rest = selector.slice(position);
      if (rest === '' || rest.startsWith(',')) {
        requirements.push({ key, operator: 'Exists', values: [] });
      } else if (rest.startsWith('!=')) {
        position += 2;
        skipSpaces();
        requirements.push({ key, operator: 'NotEquals', values: [readWord()] });
      } else if (rest.startsWith('=')) {
        position += rest.startsWith('==') ? 2 : 1;
        skipSpaces();
        requirements.push({ key, operator: 'Equals', values: [readWord()] });
      } else if (rest.startsWith('>') || rest.startsWith('<')) {
        position += 1;
        skipSpaces();
        const bound = readWord();
        if (!/^-?\d+$/.test(bound)) fail('expected an integer');
        requirements.push({ key, operator: rest.startsWith('>') ? 'GreaterThan' : 'LessThan', values: [bound] });
      } else if (/^in[ (]/.test(rest)) {
        position += 2;
        requirements.push({ key, operator: 'In', values: readValues() });
      } else if (/^notin[ (]/.test(rest)) {
        position += 5;
        requirements.push({ key, operator: 'NotIn', values: readValues() });
      } else {
        fail('expected an operator');
      }
    }
    skipSpaces();
    if (position === selector.length) return requirements;
    if (selector[position] !== ',') fail("expected ','");
    position += 1;
  }
}

/**
 * Whether labels satisfy every requirement.
 * @example matchesLabels(parseLabelSelector('app=web,!canary'), { app: 'web' }) === true
 */
export function matchesLabels(requirements: readonly LabelRequirement[], labels: Readonly<Record<string, string>> | undefined): boolean {
  return requirements.every(({ key, operator, values }) => {
    const value = labels?.[key];
    switch (operator) {
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      case 'Equals':
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotEquals':
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'GreaterThan':
      case 'LessThan': {
        if (value === undefined || !/^-?\d+$/.test(value)) return false;
        const difference = Number(value) - Number(values[0]);
        return operator === 'GreaterThan' ? difference > 0 : difference < 0;
      }
    }
  });
}

/** The structured `LabelSelector` of a workload spec (`matchLabels` + `matchExpressions`) as requirements. */
export function requirementsOfLabelSelector(selector: {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}): LabelRequirement[] {
  const fromLabels = Object.entries(selector.matchLabels ?? {}).map(([key, value]): LabelRequirement => ({
    key,
    operator: 'Equals',
    values: [value],
  }));
  const fromExpressions = (selector.matchExpressions ?? []).map(({ key, operator, values }): LabelRequirement => ({
    key,
    operator: operator as LabelOperator,
    values: values ?? [],
  }));
  return [...fromLabels, ...fromExpressions];
}

/** Renders requirements back to selector text, as the `scale` subresource reports `status.selector`. */
export function formatLabelSelector(requirements: readonly LabelRequirement[]): string {
  return requirements
    .map(({ key, operator, values }) => {
      switch (operator) {
        case 'Exists':
          return key;
        case 'DoesNotExist':
          return `!${key}`;
        case 'Equals':
          return `${key}=${values[0] ?? ''}`;
        case 'NotEquals':
          return `${key}!=${values[0] ?? ''}`;
        case 'In':
          return `${key} in (${values.join(',')})`;
        case 'NotIn':
          return `${key} notin (${values.join(',')})`;
        case 'GreaterThan':
          return `${key}>${values[0] ?? ''}`;
        case 'LessThan':
          return `${key}<${values[0] ?? ''}`;
      }
    })
    .join(',');
}
