export type LabelMatcher = (labels: Readonly<Record<string, string>>) => boolean;

const KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const MAX_SELECTOR_LENGTH = 4096;

/**
 * Reads a Kubernetes label selector in its text form, as `subscriptions[].selector` holds it: `a=b`, `a==b`, `a!=b`,
 * `a in (x,y)`, `a notin (x)`, `a`, `!a`, joined by commas (all must hold).
 * @example (parseLabelSelector('team=web,env!=dev') as LabelMatcher)({ team: 'web', env: 'prod' }) === true
 */
export function parseLabelSelector(text: string): LabelMatcher | string {
  if (text.length > MAX_SELECTOR_LENGTH) return `selector longer than ${MAX_SELECTOR_LENGTH} characters`;
  const requirements: LabelMatcher[] = [];
  for (const part of splitRequirements(text)) {
    const requirement = parseRequirement(part.trim());
    if (typeof requirement === 'string') return requirement;
    requirements.push(requirement);
  }
  return (labels) => requirements.every((requirement) => requirement(labels));
}

function splitRequirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const character of text) {
    if (character === '(') depth += 1;
    if (character === ')') depth -= 1;
    if (character === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += character;
  }
  if (current.trim() !== '' || parts.length > 0) parts.push(current);
  return parts;
}

function parseRequirement(text: string): LabelMatcher | string {
  const set = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(text);
  if (set) {
    const [, key = '', operator, list = ''] = set;
    const values = list.split(',').map((value) => value.trim());
    const problem = checkKey(key) ?? values.map(checkValue).find((found) => found !== undefined);
    if (problem !== undefined) return problem;
    return operator === 'in'
      ? (labels) => Object.hasOwn(labels, key) && values.includes(labels[key] ?? '')
      : (labels) => !Object.hasOwn(labels, key) || !values.includes(labels[key] ?? '');
  }
  const equality = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(text);
  if (equality) {
    const [, key = '', operator, value = ''] = equality;
    const problem = checkKey(key) ?? checkValue(value);
    if (problem !== undefined) return problem;
    return operator === '!='
      ? (labels) => labels[key] !== value || !Object.hasOwn(labels, key)
      : (labels) => Object.hasOwn(labels, key) && labels[key] === value;
  }
  const absent = /^!\s*(\S+)$/.exec(text);
  if (absent) {
    const key = absent[1] ?? '';
    return checkKey(key) ?? ((labels) => !Object.hasOwn(labels, key));
  }
  return checkKey(text) ?? ((labels) => Object.hasOwn(labels, text));
}

function checkKey(key: string): string | undefined {
  return KEY.test(key) ? undefined : `"${key}" is not a valid label key`;
}

function checkValue(value: string): string | undefined {
  return VALUE.test(value) ? undefined : `"${value}" is not a valid label value`;
}
