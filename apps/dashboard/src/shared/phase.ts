/** Colour family of a phase; the badge always shows a symbol and the word too, never colour alone. */
export type Tone = 'good' | 'bad' | 'warn' | 'busy' | 'idle';

interface PhaseLook {
  tone: Tone;
  symbol: string;
}

const LOOKS: Record<string, PhaseLook> = {
  Healthy: { tone: 'good', symbol: '✔' },
  Successful: { tone: 'good', symbol: '✔' },
  Connected: { tone: 'good', symbol: '●' },
  Applied: { tone: 'good', symbol: '✔' },
  Progressing: { tone: 'busy', symbol: '◐' },
  Running: { tone: 'busy', symbol: '◐' },
  Paused: { tone: 'warn', symbol: '‖' },
  Inconclusive: { tone: 'warn', symbol: '?' },
  Degraded: { tone: 'bad', symbol: '✖' },
  Failed: { tone: 'bad', symbol: '✖' },
  Error: { tone: 'bad', symbol: '⚠' },
  Aborted: { tone: 'bad', symbol: '✖' },
  Refused: { tone: 'bad', symbol: '⊘' },
  Disconnected: { tone: 'bad', symbol: '○' },
  RolledBack: { tone: 'warn', symbol: '↶' },
  Superseded: { tone: 'idle', symbol: '↷' },
  Pending: { tone: 'idle', symbol: '…' },
  Succeeded: { tone: 'good', symbol: '✔' },
  Passed: { tone: 'good', symbol: '✔' },
  Released: { tone: 'good', symbol: '✔' },
  Changing: { tone: 'busy', symbol: '◐' },
  Waiting: { tone: 'warn', symbol: '◔' },
  Halted: { tone: 'bad', symbol: '■' },
  RollingBack: { tone: 'warn', symbol: '↶' },
  Skipped: { tone: 'idle', symbol: '↷' },
  Delivered: { tone: 'good', symbol: '✔' },
  Muted: { tone: 'idle', symbol: '∅' },
};

/**
 * How a phase, outcome or state is drawn.
 * @example phaseLook('Paused') → { tone: 'warn', symbol: '‖' }
 */
export function phaseLook(phase: string): PhaseLook {
  return LOOKS[phase] ?? { tone: 'idle', symbol: '•' };
}

/** The order phases are counted in on the overview. */
export const ROLLOUT_PHASES = ['Progressing', 'Paused', 'Degraded', 'Healthy', 'Pending'] as const;

/**
 * Whether an analysis run or experiment may still change on its own, without its rollout changing.
 * @example isActivePhase('Running') === true
 */
export const isActivePhase = (phase: string): boolean => phase === 'Pending' || phase === 'Running';
