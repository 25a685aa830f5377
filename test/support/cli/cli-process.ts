import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../../../apps/cli/dist/main.js', import.meta.url));

/** A working directory and home with no config file and no demo token, so that only what a test passes counts. */
export const isolatedDirectory = (): string => mkdtempSync(join(tmpdir(), 'flotilla-cli-'));

export interface CliResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  finished: Promise<CliResult>;
}

export interface CliOptions {
  environment?: Record<string, string>;
  stdin?: string;
  cwd?: string;
}

/** Starts the built `flotilla` as its own process, its output collected, the way a person's shell would run it. */
export function startCli(args: readonly string[], options: CliOptions = {}): RunningCli {
  if (!existsSync(entry)) throw new Error('apps/cli is not built: run npx tsc -b apps/cli');
  const home = isolatedDirectory();
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('FLOTILLA_') && key !== 'NO_COLOR'));
  const child = spawn(process.execPath, [entry, ...args], {
    cwd: options.cwd ?? home,
    env: { ...inherited, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), ...options.environment },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin?.end(options.stdin ?? '');
  const finished = new Promise<CliResult>((resolve) => child.once('close', (exitCode) => resolve({ exitCode, stdout, stderr })));
  return { child, stdout: () => stdout, stderr: () => stderr, finished };
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).finished;
}

/** Runs the built `flotilla` on a pseudo-terminal through util-linux `script`, returning what the terminal showed. */
export function runCliOnTerminal(args: readonly string[], environment: Record<string, string> = {}): string {
  const quoted = [process.execPath, entry, ...args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('FLOTILLA_') && key !== 'NO_COLOR'));
  return execFileSync('script', ['-qec', quoted, '/dev/null'], { encoding: 'utf8', env: { ...inherited, ...environment } });
}

export const hasScript = (): boolean => spawnSync('script', ['--version']).status === 0;

/** Whether a text holds any ANSI escape sequence. */
export const hasAnsi = (text: string): boolean => /\u001b\[/.test(text);
