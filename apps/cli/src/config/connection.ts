import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { CliError, ExitCode } from '../cli/cli-error.js';
import { currentContext } from './contexts.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:3000';
const DEMO_TOKEN_FILE = join('.flotilla', 'token');
const DEMO_SERVER_FILE = join('.flotilla', 'server');

/** Where the API is and the token to call it with, and where each came from (for error messages). */
export interface Connection {
  server: string;
  token: string | undefined;
  /** Where the token came from; without a token, why none was taken (`nowhere` when none was found). */
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
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new CliError(ExitCode.Failure, `${path} must be a mapping with server, token or tokenFile`);
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

/** The local demo that `npm start` brings up: its token, and the address it records beside it. */
interface LocalDemo {
  tokenFile: string;
  server: string;
}

/** The demo's `.flotilla/token` in `cwd` or the nearest parent that has one, with `.flotilla/server` of that folder. */
function findLocalDemo(cwd: string): LocalDemo | undefined {
  for (let directory = resolve(cwd); ; directory = dirname(directory)) {
    const tokenFile = join(directory, DEMO_TOKEN_FILE);
    if (existsSync(tokenFile)) {
      const serverFile = join(directory, DEMO_SERVER_FILE);
      const recorded = existsSync(serverFile) ? readFileSync(serverFile, 'utf8').trim() : '';
      return { tokenFile, server: withoutTrailingPath(recorded || DEFAULT_SERVER) };
    }
    if (dirname(directory) === directory) return undefined;
  }
}

const withoutTrailingPath = (server: string): string => server.replace(/\/+$/, '').replace(/\/graphql$/, '');

/** Whether two addresses name the same scheme, host and port (`http://127.0.0.1:3000/` and `HTTP://127.0.0.1:3000`). */
function sameOrigin(one: string, other: string): boolean {
  if (!URL.canParse(one) || !URL.canParse(other)) return false;
  const origin = new URL(one).origin;
  return origin !== 'null' && origin === new URL(other).origin;
}

/** A token given explicitly: an empty one means "no token", never "look further". */
const explicitToken = (token: string, tokenSource: string): Pick<Connection, 'token' | 'tokenSource'> =>
  token === '' ? { token: undefined, tokenSource: `${tokenSource} is empty` } : { token, tokenSource };

/**
 * Finds the API and its token, first match wins: flags, then `FLOTILLA_SERVER`/`FLOTILLA_TOKEN`, then the config
 * file (the current context's `server`, then `server`, `token` or `tokenFile`, relative to the file), then the local demo (the address in
 * `.flotilla/server`, else `http://127.0.0.1:3000`, and `.flotilla/token` in the working directory or a parent).
 * The demo's token goes only to the demo's own address, and a token set empty stops the search: an admin token
 * lying in the working directory must never reach a server named for something else.
 * @example
 * resolveConnection({ flags: {}, environment: { FLOTILLA_TOKEN: 's3cr3t' }, cwd: '/tmp', home: '/root' })
 * // => { server: 'http://127.0.0.1:3000', token: 's3cr3t', tokenSource: 'FLOTILLA_TOKEN' }
 */
export function resolveConnection(sources: ConnectionSources): Connection {
  const { flags, environment } = sources;
  const configPath = configFilePath(sources);
  const config = readConfigFile(configPath);
  const demo = findLocalDemo(sources.cwd);
  const server = withoutTrailingPath(
    flags.server ??
      (environment.FLOTILLA_SERVER || undefined) ??
      currentContext(configPath)?.server ??
      config.server ??
      demo?.server ??
      DEFAULT_SERVER,
  );
  if (flags.token !== undefined) return { server, ...explicitToken(flags.token, '--token') };
  if (environment.FLOTILLA_TOKEN !== undefined) return { server, ...explicitToken(environment.FLOTILLA_TOKEN, 'FLOTILLA_TOKEN') };
  if (config.token !== undefined) return { server, ...explicitToken(config.token, configPath) };
  if (config.tokenFile !== undefined) {
    const path = resolve(dirname(configPath), config.tokenFile.replace(/^~(?=$|\/)/, sources.home));
    return { server, ...explicitToken(readTokenFile(path), path) };
  }
  if (demo === undefined) return { server, token: undefined, tokenSource: 'nowhere' };
  if (!sameOrigin(server, demo.server))
    return { server, token: undefined, tokenSource: `${demo.tokenFile} is kept for the demo at ${demo.server}, not ${server}` };
  return { server, token: readTokenFile(demo.tokenFile), tokenSource: demo.tokenFile };
}
