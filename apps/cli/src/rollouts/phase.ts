import type { Styles } from '../output/terminal.js';

/** Icons of `kubectl argo rollouts get`, by phase; also used for revisions and analysis runs. */
const ICONS: Record<string, string> = {
  Healthy: '✔',
  Successful: '✔',
  Progressing: '◌',
  Running: '◌',
  Pending: '◌',
  Paused: '॥',
  Inconclusive: '?',
  Degraded: '✖',
  Failed: '✖',
  Error: '⚠',
  Aborted: '✖',
  Superseded: '•',
  RolledBack: '↶',
};

function colourOf(phase: string, style: Styles): (text: string) => string {
  if (phase === 'Healthy' || phase === 'Successful') return style.green;
  if (phase === 'Degraded' || phase === 'Failed' || phase === 'Error' || phase === 'Aborted') return style.red;
  if (phase === 'Paused' || phase === 'Inconclusive' || phase === 'Progressing' || phase === 'Running') return style.yellow;
  return style.dim;
}

/**
 * A phase with its icon, coloured when colours are on.
 * @example phaseText('Paused', plainStyles) === '॥ Paused'
 */
export function phaseText(phase: string, style: Styles): string {
  return colourOf(phase, style)(`${ICONS[phase] ?? '?'} ${phase}`);
}
