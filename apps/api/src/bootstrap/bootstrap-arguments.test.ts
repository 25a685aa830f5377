import { describe, expect, it } from 'vitest';
import { parseBootstrapArguments } from './bootstrap-arguments.js';

describe('parseBootstrapArguments', () => {
  it.each([
    [['--organization', 'acme'], { organization: 'acme', tokenFile: undefined, newToken: false }],
    [
      ['--organization=acme', '--token-file', '/run/token', '--new-token'],
      { organization: 'acme', tokenFile: '/run/token', newToken: true },
    ],
  ])('reads %j', (args, request) => {
    expect(parseBootstrapArguments(args)).toEqual(request);
  });

  it.each([
    [[], '--organization is required'],
    [['--organization', 'Acme Corp'], '--organization "Acme Corp" must be lowercase letters'],
    [['--organization', 'a'.repeat(64)], '--organization'],
    [['--organization', 'acme', '--token-file', ''], '--token-file must name a file'],
    [['--organization', 'acme', '--tokens', '2'], "Unknown option '--tokens'"],
    [['--organization', 'acme', 'extra'], "Unexpected argument 'extra'"],
  ])('refuses %j, naming the option', (args, message) => {
    expect(() => parseBootstrapArguments(args)).toThrow(message);
  });
});
