import type { RolloutSummary } from '../api/queries.js';
import { parsePairs } from '../cli/flags.js';
import { ExitCode } from '../cli/cli-error.js';
import type { Command } from '../cli/command.js';
import { printedStructured } from '../output/structured.js';
import { formatTable } from '../output/table.js';
import { age } from '../output/time.js';
import { phaseText } from '../rollouts/phase.js';
import { listAllRollouts, ROLLOUT_LOCATION_FLAGS } from '../rollouts/rollout-lookup.js';

/** `2/6` while a canary walks its steps, `-` for blue-green. Columns after it are the Argo plugin's: SET-WEIGHT, READY (ready/current), DESIRED, UP-TO-DATE, AVAILABLE. */
function stepText(rollout: Pick<RolloutSummary, 'stepCount' | 'currentStepIndex' | 'strategy'>): string {
  if (rollout.strategy === 'BlueGreen') return '-';
  return `${rollout.currentStepIndex ?? 0}/${rollout.stepCount}`;
}

export const listRolloutsCommand: Command = {
  path: ['list', 'rollouts'],
  aliases: ['ro', 'rollout'],
  synopsis: '[--cluster CLUSTER] [--namespace NAMESPACE] [--phase PHASE] [-l KEY=VALUE]...',
  summary: 'List rollouts across every cluster',
  flags: [
    ...ROLLOUT_LOCATION_FLAGS,
    { name: 'phase', kind: 'string', valueName: 'PHASE', description: 'Pending, Progressing, Paused, Healthy or Degraded' },
    { name: 'selector', short: 'l', kind: 'string', repeatable: true, valueName: 'KEY=VALUE', description: 'label the rollouts must have' },
  ],
  outputs: ['json', 'yaml', 'wide'],
  online: true,
  async run({ api, invocation, terminal, output, now }) {
    invocation.atMostPositionals(0);
    const labels = parsePairs(invocation.strings('selector'), '-l');
    const filter = {
      ...Object.fromEntries(
        (['cluster', 'namespace', 'phase'] as const).flatMap((flag) => {
          const value = invocation.string(flag);
          return value === undefined ? [] : [[flag, value]];
        }),
      ),
      ...(Object.keys(labels).length > 0 ? { labels: Object.entries(labels).map(([key, value]) => `${key}=${value}`) } : {}),
    };
    const rollouts = await listAllRollouts(api(), filter);
    if (printedStructured(terminal, output, rollouts)) return ExitCode.Ok;
    if (rollouts.length === 0) {
      terminal.out('No rollouts found.\n');
      return ExitCode.Ok;
    }
    const wide = output === 'wide';
    const headers = [
      'CLUSTER',
      'NAMESPACE',
      'NAME',
      'STRATEGY',
      'STATUS',
      'STEP',
      'SET-WEIGHT',
      'READY',
      'DESIRED',
      'UP-TO-DATE',
      'AVAILABLE',
      ...(wide ? ['IMAGES', 'AGE', 'GENERATION', 'MESSAGE'] : []),
    ];
    const rows = rollouts.map((rollout) => {
      const { weights, replicas } = rollout.progress;
      return [
        rollout.cluster,
        rollout.namespace,
        rollout.name,
        rollout.strategy,
        phaseText(rollout.phase, terminal.style),
        stepText(rollout),
        rollout.strategy === 'Canary' && weights !== null ? String(weights.setWeight) : '-',
        `${replicas.ready}/${replicas.current}`,
        String(replicas.desired),
        String(replicas.updated),
        String(replicas.available),
        ...(wide
          ? [
              rollout.images.join(','),
              age(rollout.createdAt, now()),
              `${rollout.observedGeneration}/${rollout.generation}`,
              rollout.message,
            ]
          : []),
      ];
    });
    terminal.out(formatTable(headers, rows));
    return ExitCode.Ok;
  },
};
