import { SelectorSyntaxError } from './label-selector.js';

export interface FieldRequirement {
  field: string;
  operator: 'Equals' | 'NotEquals';
  value: string;
}

/**
 * Parses a field selector (`field=value`, `field==value`, `field!=value`, comma separated, `\` escapes).
 * @example parseFieldSelector('metadata.name=web,status.phase!=Running')
 *   // → [{ field: 'metadata.name', operator: 'Equals', value: 'web' }, { field: 'status.phase', operator: 'NotEquals', value: 'Running' }]
 */
export function parseFieldSelector(selector: string): FieldRequirement[] {
  if (selector.trim() === '') return [];
  return splitUnescaped(selector, ',').map((term) => {
    const match = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term.trim());
    if (!match) throw new SelectorSyntaxError(selector, selector.indexOf(term), `invalid field selector term "${term}"`);
    const [, field = '', operator, value = ''] = match;
    return { field, operator: operator === '!=' ? 'NotEquals' : 'Equals', value: value.replace(/\\(.)/g, '$1') };
  });
}

function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index] as string;
    if (character === '\\') {
      current += character + (text[index + 1] ?? '');
      index += 1;
    } else if (character === separator) {
      parts.push(current);
      current = '';
    } else {
      current += character;
    }
  }
  parts.push(current);
  return parts;
}

/** Whether the object's field values (looked up by `readField`) satisfy every requirement. */
export function matchesFields(requirements: readonly FieldRequirement[], readField: (field: string) => string): boolean {
  return requirements.every(({ field, operator, value }) => (readField(field) === value) === (operator === 'Equals'));
}
