import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STRING_FUNCTIONS, timeFunctions } from './executor.js';
import { TemplateRenderError, TemplateSyntaxError } from './template-error.js';
import { compileTemplate } from './template.js';

const PIECES = [
  '{{',
  '}}',
  '{{-',
  '-}}',
  ' ',
  '.rollout',
  '.metadata',
  '.name',
  '.items',
  '$',
  '$x',
  ':=',
  '=',
  ',',
  '|',
  '(',
  ')',
  'if',
  'else',
  'end',
  'range',
  'with',
  'break',
  'len',
  'index',
  'printf',
  'add',
  'call',
  '.time.Now',
  '"s"',
  '`raw`',
  '1',
  '-2.5',
  'nil',
  'true',
  'text',
  '/*',
  '*/',
  '\n',
];
const data = {
  rollout: { metadata: { name: 'guestbook' }, items: [1, 'two', null, { name: 'x' }] },
  time: timeFunctions(new Date('2026-12-05T08:00:00Z')),
  strings: STRING_FUNCTIONS,
};

describe('templates from arbitrary text', () => {
  it('either refuse to compile or render, failing only with their own errors', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }), (pieces) => {
        const compiled = compileTemplate(pieces.join(''), ['rollout', 'time', 'strings']);
        if (compiled instanceof TemplateSyntaxError) return;
        try {
          expect(typeof compiled.render(data)).toBe('string');
        } catch (failure) {
          expect(failure).toBeInstanceOf(TemplateRenderError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('renders plain text unchanged', () => {
    fc.assert(
      fc.property(
        fc.string().filter((text) => !text.includes('{{')),
        (text) => {
          const compiled = compileTemplate(text, []);
          expect(compiled instanceof TemplateSyntaxError ? compiled : compiled.render({})).toBe(text);
        },
      ),
    );
  });
});
