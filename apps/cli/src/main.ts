#!/usr/bin/env node
import { homedir } from 'node:os';
import { text } from 'node:stream/consumers';
import { runCli } from './cli/run.js';
import { COMMANDS } from './commands/registry.js';
import { processTerminal } from './output/terminal.js';

const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());

const exitCode = await runCli(COMMANDS, process.argv.slice(2), {
  terminal: processTerminal(process.env),
  environment: process.env,
  cwd: process.cwd(),
  home: homedir(),
  readStdin: () => text(process.stdin),
  stopSignal: stop.signal,
  now: () => new Date(),
});
// Writes to a pipe finish asynchronously: exit only once they are flushed.
process.stdout.write('', () => process.stderr.write('', () => process.exit(exitCode)));
