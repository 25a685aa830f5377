import type { Command } from './command.js';

export const PROGRAM = 'flotilla';

export const EXIT_CODE_HELP = [
  'Exit codes:',
  '  0  success',
  '  1  failure, or problems found (apply, lint)',
  '  2  usage error',
  '  3  not found (rollout, cluster, revision, FleetRollout, fleet release)',
  '  4  authentication or permission refused',
  '  5  status: the rollout is Degraded, or --timeout passed; fleet status, fleet release --wait: the release is',
  '     Halted, Aborted, RolledBack or Superseded, or --timeout passed',
  '  6  audit verify: the audit chain is broken, or does not match the checkpoint',
];

export const CONNECTION_HELP = [
  'The API and its token come from --server/--token, else FLOTILLA_SERVER/FLOTILLA_TOKEN, else the config file',
  '(~/.config/flotilla/config.yaml, or FLOTILLA_CONFIG, with server, token or tokenFile), else the local demo:',
  'http://127.0.0.1:3000 and .flotilla/token in the working directory or a parent.',
];

export function commandName(command: Command): string {
  return command.path.join(' ');
}

/**
 * The arguments the overview shows of a synopsis: up to its first optional flag, choice of flags or long flag.
 * @example overviewSynopsis('NAME (--image CONTAINER=IMAGE | --template-file FILE) [--wait]') === 'NAME'
 */
export function overviewSynopsis(synopsis: string): string {
  return synopsis.split(/\s*\[-|\s*\(-|\s+--/)[0] ?? '';
}
