import { CLUSTER_LABELS, CLUSTERS, REGISTER_CLUSTER, UPDATE_CLUSTER_LABELS, type ClusterRow } from '../api/queries.js';
import { parsePairs } from '../cli/flags.js';
import { ExitCode } from '../cli/cli-error.js';
import { applyLabelChanges, parseLabelChanges } from '../clusters/label-changes.js';
import type { Command } from '../cli/command.js';
import { printedStructured } from '../output/structured.js';
import { formatTable } from '../output/table.js';
import type { Styles } from '../output/terminal.js';
import { age } from '../output/time.js';

const formatLabels = (labels: Record<string, string>): string =>
  Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',') || '<none>';

function stateText(state: ClusterRow['connectionState'], style: Styles): string {
  if (state === 'Connected') return style.green(state);
  if (state === 'Disconnected') return style.red(state);
  return style.yellow(state);
}

export const clustersCommand: Command = {
  path: ['clusters'],
  synopsis: '',
  summary: 'List the clusters of the organization and whether their agents are connected',
  flags: [],
  outputs: ['json', 'yaml', 'wide'],
  online: true,
  async run({ api, invocation, terminal, output, now }) {
    invocation.atMostPositionals(0);
    const { clusters } = await api().request<{ clusters: ClusterRow[] }>(CLUSTERS);
    if (printedStructured(terminal, output, clusters)) return ExitCode.Ok;
    const wide = output === 'wide';
    const headers = ['NAME', 'STATE', 'AGENT', 'KUBERNETES', 'LABELS', 'HEARTBEAT', ...(wide ? ['AGE'] : [])];
    const rows = clusters.map((cluster) => [
      cluster.name,
      stateText(cluster.connectionState, terminal.style),
      cluster.agentVersion ?? '-',
      cluster.kubernetesVersion ?? '-',
      formatLabels(cluster.labels),
      cluster.lastHeartbeatAt === null ? '-' : `${age(cluster.lastHeartbeatAt, now())} ago`,
      ...(wide ? [age(cluster.createdAt, now())] : []),
    ]);
    terminal.out(
      clusters.length === 0 ? 'No clusters yet: register one with "flotilla clusters register NAME".\n' : formatTable(headers, rows),
    );
    return ExitCode.Ok;
  },
};

export const registerClusterCommand: Command = {
  path: ['clusters', 'register'],
  synopsis: 'NAME [--label KEY=VALUE]...',
  summary: 'Register a cluster and print its agent token, shown only this once',
  details: ['Give the token to the agent of that cluster as FLOTILLA_AGENT_TOKEN or FLOTILLA_AGENT_TOKEN_FILE.'],
  flags: [
    {
      name: 'label',
      short: 'l',
      kind: 'string',
      repeatable: true,
      valueName: 'KEY=VALUE',
      description: 'label of the cluster, such as env=prod',
    },
  ],
  outputs: ['json', 'yaml'],
  online: true,
  async run({ api, invocation, terminal, output }) {
    const name = invocation.positional(0, 'the cluster NAME');
    invocation.atMostPositionals(1);
    const labels = parsePairs(invocation.strings('label'), '--label');
    const { registerCluster } = await api().request<{ registerCluster: { agentToken: string; cluster: ClusterRow } }>(REGISTER_CLUSTER, {
      name,
      labels,
    });
    if (printedStructured(terminal, output, registerCluster)) return ExitCode.Ok;
    terminal.out(
      `cluster ${terminal.style.bold(name)} registered. Its agent token, shown only now (Flotilla keeps only its hash):\n${registerCluster.agentToken}\n`,
    );
    return ExitCode.Ok;
  },
};

export const labelClusterCommand: Command = {
  path: ['clusters', 'label'],
  synopsis: 'CLUSTER KEY=VALUE|KEY-... [--overwrite]',
  summary: "Set or remove a cluster's labels, which FleetRollouts select clusters and waves by (admin)",
  details: [
    'As kubectl label: KEY=VALUE sets a label, KEY- removes one; changing the value of an existing label needs',
    '--overwrite. The cluster keeps every other label. "flotilla fleet plan NAME" shows where the clusters fall now.',
  ],
  flags: [{ name: 'overwrite', kind: 'boolean', description: 'allow changing the value of an existing label' }],
  outputs: ['json', 'yaml'],
  online: true,
  async run({ api, invocation, terminal, output }) {
    const name = invocation.positional(0, 'the CLUSTER name');
    const changes = parseLabelChanges(invocation.positionals.slice(1));
    // The labels kept are sent back: read them as sent.
    const { cluster } = await api().request<{ cluster: { name: string; labels: Record<string, string> } }>(
      CLUSTER_LABELS,
      { name },
      'as-sent',
    );
    const outcome = applyLabelChanges(cluster.labels, changes, invocation.boolean('overwrite'));
    for (const key of outcome.missing) terminal.err(`label "${key}" not found.\n`);
    if (!outcome.changed) {
      if (!printedStructured(terminal, output, cluster))
        terminal.out(`cluster ${terminal.style.bold(name)} not labeled: nothing changed\n`);
      return ExitCode.Ok;
    }
    const { updateClusterLabels } = await api().request<{ updateClusterLabels: ClusterRow }>(UPDATE_CLUSTER_LABELS, {
      name,
      labels: outcome.labels,
    });
    if (printedStructured(terminal, output, updateClusterLabels)) return ExitCode.Ok;
    terminal.out(`cluster ${terminal.style.bold(name)} labeled: ${formatLabels(updateClusterLabels.labels)}\n`);
    return ExitCode.Ok;
  },
};
