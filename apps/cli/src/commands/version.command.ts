import { ExitCode } from '../cli/cli-error.js';
import type { Command } from '../cli/command.js';
import { PROGRAM } from '../cli/help.js';
import { cliVersion } from '../cli/version.js';
import { printedStructured } from '../output/structured.js';

export const versionCommand: Command = {
  path: ['version'],
  synopsis: '',
  summary: 'Print the version of the command (also: flotilla --version)',
  flags: [],
  outputs: ['json', 'yaml'],
  online: false,
  run({ invocation, terminal, output }) {
    invocation.atMostPositionals(0);
    const version = { [PROGRAM]: `v${cliVersion()}`, node: process.version };
    if (!printedStructured(terminal, output, version)) terminal.out(`${PROGRAM}: v${cliVersion()}\n`);
    return Promise.resolve(ExitCode.Ok);
  },
};
