import { stringify } from 'yaml';
import type { OutputFormat } from '../cli/command.js';
import type { Terminal } from './terminal.js';

/**
 * Prints `value` as JSON or YAML when `-o json|yaml` was asked for, and tells whether it did;
 * otherwise the command prints its own text.
 */
export function printedStructured(terminal: Terminal, format: OutputFormat | undefined, value: unknown): boolean {
  if (format === 'json') terminal.out(`${JSON.stringify(value, null, 2)}\n`);
  else if (format === 'yaml') terminal.out(stringify(value));
  else return false;
  return true;
}
