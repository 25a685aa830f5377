import { fleetLayout, timedPauses, type FleetRolloutKind } from './fleet-plan.js';
import type { FleetSimCommand, FleetSimReply } from './fleet-sim-ipc.js';
import { VirtualCluster, type FleetRecord } from './virtual-cluster.js';

/**
 * The fleet simulator process: one WebSocket per virtual cluster, each speaking the agent protocol (see
 * `VirtualCluster`). Driven over Node IPC by the fleet benchmark (`FleetSimCommand`); ends when its parent goes.
 */
/** Connections opened at once: the API authenticates at most 20 upgrades per client address at a time. */
const CONNECT_BATCH = 10;

const record: FleetRecord = { reactions: [], imageFirstSeen: new Map(), measurementsAnswered: 0, errors: [] };
const clusters: VirtualCluster[] = [];

const reply = (message: FleetSimReply): void => void process.send?.(message);

async function connect(command: Extract<FleetSimCommand, { type: 'connect' }>): Promise<void> {
  const kinds = new Map<string, FleetRolloutKind>(
    fleetLayout(command.layout.clusters, command.layout.rollouts).map((rollout) => [rollout.name, rollout.kind]),
  );
  const pausesByKind = new Map<FleetRolloutKind, ReadonlyMap<number, number>>(
    (['canary', 'routed-canary', 'blue-green'] as const).map((kind) => [kind, timedPauses(kind)]),
  );
  const noPauses = new Map<number, number>();
  const pausesOf = (name: string): ReadonlyMap<number, number> => pausesByKind.get(kinds.get(name) ?? 'blue-green') ?? noPauses;
  for (let offset = 0; offset < command.clusters.length; offset += CONNECT_BATCH) {
    const batch = command.clusters
      .slice(offset, offset + CONNECT_BATCH)
      .map(
        (cluster) =>
          new VirtualCluster(
            { ...cluster, applyDelayMs: command.applyDelayMs, observeIntervalMs: command.observeIntervalMs, pausesOf },
            record,
          ),
      );
    clusters.push(...batch);
    await Promise.all(batch.map((cluster) => cluster.connect()));
  }
}

process.on('message', (command: FleetSimCommand) => {
  switch (command.type) {
    case 'connect':
      connect(command).then(
        () => reply({ type: 'connected' }),
        (error: unknown) => reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
      );
      break;
    case 'reset':
      record.reactions = [];
      record.imageFirstSeen.clear();
      record.measurementsAnswered = 0;
      record.errors = [];
      reply({ type: 'reset' });
      break;
    case 'report':
      reply({
        type: 'report',
        report: {
          reactions: record.reactions,
          imageFirstSeen: [...record.imageFirstSeen],
          measurementsAnswered: record.measurementsAnswered,
          errors: record.errors,
          residentBytes: process.memoryUsage().rss,
        },
      });
      break;
  }
});
process.on('disconnect', () => {
  for (const cluster of clusters) cluster.close();
  process.exit(0);
});
