import { describe, expect, it } from 'vitest';
import { parseArguments, parsePairs, type FlagSpec } from './arguments.js';
import { CliError, ExitCode } from './cli-error.js';

const flags: FlagSpec[] = [
  { name: 'namespace', short: 'n', kind: 'string', description: '' },
  { name: 'filename', short: 'f', kind: 'string', repeatable: true, description: '' },
  { name: 'watch', short: 'w', kind: 'boolean', description: '' },
];

const parse = (tokens: string[]) => {
  const parsed = parseArguments(tokens, flags);
  return { positionals: parsed.positionals, values: Object.fromEntries(parsed.values), booleans: [...parsed.booleans] };
};

describe('parseArguments', () => {
  it.each([
    { tokens: ['checkout'], positionals: ['checkout'], values: {}, booleans: [] },
    { tokens: ['checkout', '--namespace', 'shop'], positionals: ['checkout'], values: { namespace: ['shop'] }, booleans: [] },
    { tokens: ['--namespace=shop', 'checkout'], positionals: ['checkout'], values: { namespace: ['shop'] }, booleans: [] },
    { tokens: ['-n', 'shop', 'checkout', '-w'], positionals: ['checkout'], values: { namespace: ['shop'] }, booleans: ['watch'] },
    { tokens: ['-n=shop'], positionals: [], values: { namespace: ['shop'] }, booleans: [] },
    { tokens: ['--watch', '--watch=false'], positionals: [], values: {}, booleans: [] },
    {
      tokens: ['-f', 'a.yaml', '--filename', 'b.yaml', '-f', '-'],
      positionals: [],
      values: { filename: ['a.yaml', 'b.yaml', '-'] },
      booleans: [],
    },
    { tokens: ['-', 'x'], positionals: ['-', 'x'], values: {}, booleans: [] },
    { tokens: ['a', '--', '--watch', '-n'], positionals: ['a', '--watch', '-n'], values: {}, booleans: [] },
    { tokens: ['--namespace='], positionals: [], values: { namespace: [''] }, booleans: [] },
  ])('reads $tokens', ({ tokens, positionals, values, booleans }) => {
    expect(parse(tokens)).toEqual({ positionals, values, booleans });
  });

  it.each([
    { tokens: ['--nope'], message: 'unknown flag --nope' },
    { tokens: ['-x'], message: 'unknown flag -x' },
    { tokens: ['--namespace'], message: '--namespace needs a value' },
    { tokens: ['--namespace', '--watch'], message: '--namespace needs a value' },
    { tokens: ['-n', 'a', '-n', 'b'], message: '--namespace may be given only once' },
    { tokens: ['--watch=maybe'], message: '--watch takes no value other than true or false, not "maybe"' },
  ])('refuses $tokens as a usage error', ({ tokens, message }) => {
    const error = (() => {
      try {
        parseArguments(tokens, flags);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ exitCode: ExitCode.Usage });
    expect((error as CliError).message).toContain(message);
  });
});

describe('parsePairs', () => {
  it('reads key=value pairs, values may hold =', () => {
    expect(parsePairs(['env=prod', 'query=a=b', 'empty='], '-l')).toEqual({ env: 'prod', query: 'a=b', empty: '' });
  });

  it.each(['env', '=prod'])('refuses %s', (pair) => {
    expect(() => parsePairs([pair], '--label')).toThrow(`--label takes key=value, not "${pair}"`);
  });
});
