import { readFileSync } from 'node:fs';

/** A `$ ` line of a ```console block of a Markdown file, and where it is. */
export interface ConsoleCommand {
  /** The command line as printed, without its `$ `. */
  line: string;
  /** `README.md:42`, for failure messages. */
  where: string;
  /** Where its block starts, `README.md:40`: commands of one block depend on each other, blocks do not. */
  block: string;
  /** Why the line is not run, when it is not. */
  notRun?: string;
}

/** Placed on the line before a ```console block whose commands are about objects the demo does not have. */
export const NOT_RUN_MARKER = '<!-- console: not run';

/**
 * The commands of every ```console block of a Markdown file, in order. By convention a command is not run when it
 * never ends by itself (`--watch`, which Ctrl-C ends) or holds a placeholder (`…`), and a block is not run when the
 * line before it is `<!-- console: not run: why -->`.
 * @example consoleCommands('README.md') // => [{ line: 'flotilla config use-context staging', where: 'README.md:41' }, …]
 */
export function consoleCommands(path: string, label = path): ConsoleCommand[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const commands: ConsoleCommand[] = [];
  let block: 'run' | 'skip' | 'other' | undefined;
  let blockStart = 0;
  for (const [index, text] of lines.entries()) {
    const fence = /^\s*```(\w*)/.exec(text);
    if (fence) {
      if (block !== undefined) block = undefined;
      else if (fence[1] !== 'console') block = 'other';
      else block = (lines[index - 1] ?? '').trimStart().startsWith(NOT_RUN_MARKER) ? 'skip' : 'run';
      blockStart = index + 1;
      continue;
    }
    if (block !== 'run' && block !== 'skip') continue;
    const command = /^\s*\$ (.*)$/.exec(text)?.[1];
    if (command === undefined) continue;
    commands.push({ line: command, where: `${label}:${index + 1}`, block: `${label}:${blockStart}`, ...notRunBecause(command, block) });
  }
  return commands;
}

function notRunBecause(line: string, block: 'run' | 'skip'): { notRun?: string } {
  if (block === 'skip') return { notRun: 'its block is about objects the demo does not have' };
  if (/--watch(?!=false)\b/.test(line)) return { notRun: 'it runs until Ctrl-C' };
  if (line.includes('…')) return { notRun: 'it holds a placeholder' };
  return {};
}
