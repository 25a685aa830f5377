import { readFileSync } from 'node:fs';

/** A `$ ` line of a ```console block of a Markdown file, and where it is. */
export interface ConsoleCommand {
  /** The command line as printed, without its `$ `. */
  line: string;
  /** `README.md:42`, for failure messages. */
  where: string;
  /** Where its block starts, `README.md:40`: commands of one block depend on each other. */
  block: string;
  /** Why the line is not run, when it is not. */
  notRun?: string;
}

/**
 * The commands of every ```console block of a Markdown file, in order. By convention a command is not run when it
 * never ends by itself (`--watch`, which Ctrl-C ends) or holds a placeholder (`…`).
 * @example consoleCommands('README.md') // => [{ line: 'flotilla config use-context staging', where: 'README.md:41' }, …]
 */
export function consoleCommands(path: string, label = path): ConsoleCommand[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const commands: ConsoleCommand[] = [];
  let block: 'console' | 'other' | undefined;
  let blockStart = 0;
  for (const [index, text] of lines.entries()) {
    const fence = /^\s*```(\w*)/.exec(text);
    if (fence) {
      if (block !== undefined) block = undefined;
      else block = fence[1] === 'console' ? 'console' : 'other';
      blockStart = index + 1;
      continue;
    }
    if (block !== 'console') continue;
    const command = /^\s*\$ (.*)$/.exec(text)?.[1];
    if (command === undefined) continue;
    commands.push({ line: command, where: `${label}:${index + 1}`, block: `${label}:${blockStart}`, ...notRunBecause(command) });
  }
  return commands;
}

function notRunBecause(line: string): { notRun?: string } {
  if (/--watch(?!=false)\b/.test(line)) return { notRun: 'it runs until Ctrl-C' };
  if (line.includes('…')) return { notRun: 'it holds a placeholder' };
  return {};
}
