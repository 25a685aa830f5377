import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { CliError, ExitCode } from '../cli/cli-error.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:3000';
const DEMO_TOKEN_FILE = join('.flotilla', 'token');

/** Where the API is and the token to call it with, and where each came from (for error messages). */
export interface Connection {
  server: string;
  token: string | undefined;
  tokenSource: string;
}

interface ConfigFile {
  server?: string;
  token?: string;
  tokenFile?: string;
}

export interface ConnectionSources {
  flags: { server?: string; token?: string };
  environment: Readonly<Record<string, string | undefined>>;
  cwd: string;
  home: string;
}

/** `$FLOTILLA_CONFIG`, else `$XDG_CONFIG_HOME/flotilla/config.yaml`, else `~/.config/flotilla/config.yaml`. */
export function configFilePath(sources: Pick<ConnectionSources, 'environment' | 'home'>): string {
  const { environment, home } = sources;
  if (environment.FLOTILLA_CONFIG) return environment.FLOTILLA_CONFIG;
  return join(environment.XDG_CONFIG_HOME || join(home, '.config'), 'flotilla', 'config.yaml');
}

function readConfigFile(path: string): ConfigFile {
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CliError(ExitCode.Failure, `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new CliError(ExitCode.Failure, `${path} must be a mapping with server, token or tokenFile`);
  const config: ConfigFile = {};
  for (const key of ['server', 'token', 'tokenFile'] as const) {
    const value = (parsed as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new CliError(ExitCode.Failure, `${path}: ${key} must be a string`);
    config[key] = value;
  }
  return config;
}

function readTokenFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new CliError(ExitCode.Auth, `cannot read the token file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The demo's `.flotilla/token` in `cwd` or the nearest parent that has one. */
function findDemoTokenFile(cwd: string): string | undefined {
  for (let directory = resolve(cwd); ; directory = dirname(directory)) {
    const candidate = join(directory, DEMO_TOKEN_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(directory) === directory) return undefined;
  }
}

const withoutTrailingPath = (server: string): string => server.replace(/\/+$/, '').replace(/\/graphql$/, '');

/**
 * Finds the API and its token, first match wins: flags, then `FLOTILLA_SERVER`/`FLOTILLA_TOKEN`, then the config
 * file (`server`, `token` or `tokenFile`, relative to the file), then the local demo (`http://127.0.0.1:3000` and
 * `.flotilla/token` in the working directory or a parent).
 * @example
 * resolveConnection({ flags: {}, environment: { FLOTILLA_TOKEN: 's3cr3t' }, cwd: '/tmp', home: '/root' })
 * // => { server: 'http://127.0.0.1:3000', token: 's3cr3t', tokenSource: 'FLOTILLA_TOKEN' }
 */
export function resolveConnection(sources: ConnectionSources): Connection {
  const { flags, environment } = sources;
  const configPath = configFilePath(sources);
  const config = readConfigFile(configPath);
  const server = withoutTrailingPath(flags.server ?? (environment.FLOTILLA_SERVER || undefined) ?? config.server ?? DEFAULT_SERVER);
  if (flags.token !== undefined) return { server, token: flags.token, tokenSource: '--token' };
  if (environment.FLOTILLA_TOKEN) return { server, token: environment.FLOTILLA_TOKEN, tokenSource: 'FLOTILLA_TOKEN' };
  if (config.token !== undefined) return { server, token: config.token, tokenSource: configPath };
  if (config.tokenFile !== undefined) {
    const path = resolve(dirname(configPath), config.tokenFile.replace(/^~(?=$|\/)/, sources.home));
    return { server, token: readTokenFile(path), tokenSource: path };
  }
  const demoTokenFile = findDemoTokenFile(sources.cwd);
  if (demoTokenFile !== undefined) return { server, token: readTokenFile(demoTokenFile), tokenSource: demoTokenFile };
  return { server, token: undefined, tokenSource: 'nowhere' };
}
