import type { Styles } from '../output/terminal.js';

/**
 * Icons of `kubectl argo rollouts get`, by phase; also used for revisions, analysis runs, and the phases and states
 * of fleet releases, their waves, gates and members.
 */
const ICONS: Record<string, string> = {
  Healthy: '✔',
  Successful: '✔',
  Succeeded: '✔',
  Passed: '✔',
  Released: '✔',
  Changing: '◌',
  Waiting: '◌',
  Halted: '✖',
  Skipped: '»',
  RollingBack: '↶',
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
  ScaledDown: '•',
  RolledBack: '↶',
};

const GREEN = new Set(['Healthy', 'Successful', 'Succeeded', 'Passed', 'Released']);
const RED = new Set(['Degraded', 'Failed', 'Error', 'Aborted', 'Halted']);
const YELLOW = new Set(['Paused', 'Inconclusive', 'Progressing', 'Running', 'Changing', 'Waiting', 'RollingBack']);

function colourOf(phase: string, style: Styles): (text: string) => string {
  if (GREEN.has(phase)) return style.green;
  if (RED.has(phase)) return style.red;
  if (YELLOW.has(phase)) return style.yellow;
  return style.dim;
}

/**
 * A phase with its icon, coloured when colours are on.
 * @example phaseText('Paused', plainStyles) === '॥ Paused'
 */
export function phaseText(phase: string, style: Styles): string {
  return colourOf(phase, style)(`${ICONS[phase] ?? '?'} ${phase}`);
}

/**
 * A pod's kubectl status with the icon the Argo plugin gives it: ✔ running or completed, ◌ on its way (Pending,
 * ContainerCreating, Init:…, Terminating), ✖ failed or crash-looping, ⚠ an image or runtime error.
 * @example podStatusText('CrashLoopBackOff', plainStyles) === '✖ CrashLoopBackOff'
 */
export function podStatusText(status: string, style: Styles): string {
  const [icon, colour] = podIconOf(status);
  return style[colour](`${icon} ${status}`);
}

function podIconOf(status: string): [string, 'green' | 'yellow' | 'red' | 'dim'] {
  if (status.startsWith('Init:')) return ['◌', 'yellow'];
  if (status.startsWith('Signal:') || status.startsWith('ExitCode:')) return ['✖', 'red'];
  if (status.endsWith('Error') || status.startsWith('Err')) return ['⚠', 'red'];
  switch (status) {
    case 'Pending':
    case 'Terminating':
    case 'ContainerCreating':
      return ['◌', 'yellow'];
    case 'Running':
    case 'Completed':
      return ['✔', 'green'];
    case 'Failed':
    case 'InvalidImageName':
    case 'CrashLoopBackOff':
      return ['✖', 'red'];
    case 'ImagePullBackOff':
    case 'RegistryUnavailable':
      return ['⚠', 'red'];
    default:
      return ['?', 'dim'];
  }
}
