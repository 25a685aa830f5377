import { randomUUID } from 'node:crypto';
import { EXPERIMENT_LABEL, POD_TEMPLATE_HASH_LABEL } from '@flotilla/protocol';
import type { E2eCluster, E2eSystem } from './e2e-system.js';
import { eventually } from './processes.js';
import type { V1PodSpec, V1PodStatus, V1ReplicaSetSpec, V1ReplicaSetStatus, V1ServiceSpec } from '@kubernetes/client-node';
import type { SimulatedClusterClient, SimulatedObject } from './simulator-client.js';

/** What the API reports of a rollout, as `rollout(...)` answers it. */
export interface ReportedRollout {
  phase: string;
  message: string;
  generation: number;
  observedGeneration: number;
  currentStepIndex: number | null;
  images: string[];
  status: {
    stableRS?: string;
    currentPodHash?: string;
    conditions?: { type: string; status: string; reason: string; message: string; lastTransitionTime: string }[];
    pauseConditions?: { reason: string; startTime: string }[];
    blueGreen?: { activeSelector?: string; previewSelector?: string };
    scaleDownDeadlines?: Record<string, string>;
  } | null;
}

/** A rollout's status in the API's typed fields, with the roles of its revisions. */
export interface ReportedProgress {
  progress: {
    currentStep: { index: number; count: number; step: { index: number; description: string; state: string } | null } | null;
    weights: { setWeight: number; actualWeight: number; canary: number | null; stable: number | null } | null;
    replicas: { desired: number; current: number; updated: number; ready: number; available: number };
    conditions: { type: string; status: string; reason: string; message: string; lastTransitionTime: string }[];
    pause: { paused: boolean; specPaused: boolean; controllerPause: boolean; conditions: { reason: string; startTime: string }[] };
    abort: { aborted: boolean; message: string | null; abortedAt: string | null };
    podTemplateHashes: { current: string | null; stable: string | null };
  };
  revisionRoles: { podTemplateHash: string; roles: string[] }[];
}

const PROGRESS_FIELDS = `currentStep { index count step { index description state } } weights { setWeight actualWeight canary stable }
  replicas { desired current updated ready available } conditions { type status reason message lastTransitionTime }
  pause { paused specPaused controllerPause conditions { reason startTime } } abort { aborted message abortedAt }
  podTemplateHashes { current stable }`;

/** A ReplicaSet of a rollout as the simulator holds it. */
export interface HeldReplicaSet {
  hash: string;
  image: string | undefined;
  replicas: number;
  readyReplicas: number;
}

/** A pod of a rollout as the simulator holds it. */
export interface HeldPod {
  hash: string;
  ready: boolean;
  waitingReason: string | undefined;
}

const ROLLOUT_FIELDS = 'phase message generation observedGeneration currentStepIndex images status';

/**
 * One namespace of one simulated cluster, made for one scenario, with what a team does there: seed its own
 * objects into the cluster, apply Rollout manifests and operate rollouts through GraphQL, and look at both what
 * the API reports and what the cluster holds.
 */
export class E2eNamespace {
  private constructor(
    private readonly system: E2eSystem,
    readonly cluster: E2eCluster,
    readonly namespace: string,
  ) {}

  static create(system: E2eSystem, cluster: E2eCluster, prefix: string): Promise<E2eNamespace> {
    return E2eNamespace.named(system, cluster, `${prefix}-${randomUUID().slice(0, 6)}`);
  }

  /** The namespace of exactly that name, as a release across clusters needs it the same everywhere. */
  static async named(system: E2eSystem, cluster: E2eCluster, namespace: string): Promise<E2eNamespace> {
    await system.cluster(cluster).apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    return new E2eNamespace(system, cluster, namespace);
  }

  get kube(): SimulatedClusterClient {
    return this.system.cluster(this.cluster);
  }

  /** Creates (or replaces) objects the team owns, such as Services and Ingresses, in this namespace. */
  async seed(...objects: SimulatedObject[]): Promise<void> {
    for (const object of objects) await this.kube.apply({ ...object, metadata: { ...object.metadata, namespace: this.namespace } });
  }

  async applyManifests(yaml: string): Promise<void> {
    await this.system.graphql(
      this.system.tokens.deployer,
      'mutation($c: String!, $n: String!, $yaml: String!) { applyManifests(cluster: $c, namespace: $n, yaml: $yaml) { name } }',
      {
        c: this.cluster,
        n: this.namespace,
        yaml,
      },
    );
  }

  async setImage(rollout: string, container: string, image: string): Promise<void> {
    await this.system.graphql(
      this.system.tokens.deployer,
      'mutation($r: RolloutRef!, $container: String!, $image: String!) { setImage(rollout: $r, container: $container, image: $image) { id } }',
      {
        r: this.ref(rollout),
        container,
        image,
      },
    );
  }

  /** `promote`, `abort`, `retry`, … as the deployer asks for it. */
  async operate(operation: 'promote' | 'abort' | 'retry' | 'pause' | 'resume', rollout: string): Promise<void> {
    await this.system.graphql(this.system.tokens.deployer, `mutation($r: RolloutRef!) { ${operation}(rollout: $r) { id } }`, {
      r: this.ref(rollout),
    });
  }

  /** `promote --full`: straight to 100%, the remaining steps skipped. */
  async promoteFully(rollout: string): Promise<void> {
    await this.system.graphql(this.system.tokens.deployer, 'mutation($r: RolloutRef!) { promote(rollout: $r, full: true) { id } }', {
      r: this.ref(rollout),
    });
  }

  async undo(rollout: string, toRevision: number): Promise<void> {
    await this.system.graphql(
      this.system.tokens.deployer,
      'mutation($r: RolloutRef!, $to: Int) { undo(rollout: $r, toRevision: $to) { id } }',
      { r: this.ref(rollout), to: toRevision },
    );
  }

  async rollout(name: string): Promise<ReportedRollout> {
    const data = await this.system.graphql<{ rollout: ReportedRollout }>(
      this.system.tokens.deployer,
      `query($c: String!, $n: String!, $name: String!) { rollout(cluster: $c, namespace: $n, name: $name) { ${ROLLOUT_FIELDS} } }`,
      {
        c: this.cluster,
        n: this.namespace,
        name,
      },
    );
    return data.rollout;
  }

  async progress(name: string): Promise<ReportedProgress> {
    const data = await this.system.graphql<{
      rollout: Pick<ReportedProgress, 'progress'>;
      rolloutRevisions: ReportedProgress['revisionRoles'];
    }>(
      this.system.tokens.deployer,
      `query($c: String!, $n: String!, $name: String!, $r: RolloutRef!) {
        rollout(cluster: $c, namespace: $n, name: $name) { progress { ${PROGRESS_FIELDS} } }
        rolloutRevisions(rollout: $r) { podTemplateHash roles }
      }`,
      { c: this.cluster, n: this.namespace, name, r: this.ref(name) },
    );
    return { progress: data.rollout.progress, revisionRoles: data.rolloutRevisions };
  }

  async revisions(name: string): Promise<{ revision: number; images: string[]; outcome: string }[]> {
    const data = await this.system.graphql<{ rolloutRevisions: { revision: number; images: string[]; outcome: string }[] }>(
      this.system.tokens.deployer,
      'query($r: RolloutRef!) { rolloutRevisions(rollout: $r) { revision images outcome } }',
      { r: this.ref(name) },
    );
    return data.rolloutRevisions;
  }

  /** The steps the engine completed, as its audit records them, oldest first. */
  async completedSteps(name: string): Promise<{ stepIndex: number; occurredAt: string }[]> {
    const data = await this.system.graphql<{ auditEvents: { nodes: { occurredAt: string; after: { stepIndex: number } }[] } }>(
      this.system.tokens.deployer,
      'query($f: AuditEventFilter) { auditEvents(filter: $f, page: { first: 500 }) { nodes { occurredAt after } } }',
      { f: { action: 'rollout.step_completed', targetName: `${this.cluster}/${this.namespace}/${name}` } },
    );
    return data.auditEvents.nodes.map((event) => ({ stepIndex: event.after.stepIndex, occurredAt: event.occurredAt })).reverse();
  }

  /**
   * The ReplicaSets of the rollout's revisions in the cluster (not those of its experiments), ordered by hash so that
   * comparisons do not depend on listing order.
   */
  async replicaSets(rollout: string): Promise<HeldReplicaSet[]> {
    const items = await this.kube.list<V1ReplicaSetSpec, V1ReplicaSetStatus>('ReplicaSet', this.namespace);
    return items
      .filter(
        (item) =>
          item.metadata.name.startsWith(`${rollout}-`) &&
          item.metadata.labels?.[POD_TEMPLATE_HASH_LABEL] !== undefined &&
          item.metadata.labels[EXPERIMENT_LABEL] === undefined,
      )
      .map((item) => ({
        hash: item.metadata.labels?.[POD_TEMPLATE_HASH_LABEL] ?? '',
        image: item.spec?.template?.spec?.containers[0]?.image,
        replicas: item.spec?.replicas ?? 0,
        readyReplicas: item.status?.readyReplicas ?? 0,
      }))
      .sort((left, right) => left.hash.localeCompare(right.hash));
  }

  /** Pods of the rollout's ReplicaSets that are not on their way out. */
  async pods(rollout: string): Promise<HeldPod[]> {
    const hashes = new Set((await this.replicaSets(rollout)).map((replicaSet) => replicaSet.hash));
    const items = await this.kube.list<V1PodSpec, V1PodStatus>('Pod', this.namespace);
    return items
      .filter(
        (pod) =>
          hashes.has(pod.metadata.labels?.[POD_TEMPLATE_HASH_LABEL] ?? '') &&
          (pod.metadata as { deletionTimestamp?: string }).deletionTimestamp === undefined,
      )
      .map((pod) => ({
        hash: pod.metadata.labels?.[POD_TEMPLATE_HASH_LABEL] ?? '',
        ready: (pod.status?.conditions ?? []).some((condition) => condition.type === 'Ready' && condition.status === 'True'),
        waitingReason: pod.status?.containerStatuses?.[0]?.state?.waiting?.reason,
      }));
  }

  /** Ready pods by pod-template-hash, e.g. `{ abc: 4, def: 1 }`. */
  async readyPodsByHash(rollout: string): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const pod of await this.pods(rollout)) if (pod.ready) counts[pod.hash] = (counts[pod.hash] ?? 0) + 1;
    return counts;
  }

  async serviceSelector(service: string): Promise<Record<string, string> | undefined> {
    return (await this.kube.get<V1ServiceSpec>('Service', this.namespace, service))?.spec?.selector;
  }

  /**
   * Waits until the rollout satisfies `condition`; on timeout the error tells the phase, step and message the API
   * reports and the ReplicaSets the cluster holds.
   */
  async waitFor(
    name: string,
    what: string,
    condition: (rollout: ReportedRollout) => boolean | Promise<boolean>,
    timeoutMs = 30_000,
  ): Promise<ReportedRollout> {
    let last: ReportedRollout | undefined;
    try {
      return await eventually(
        async () => {
          last = await this.rollout(name);
          return (await condition(last)) ? last : undefined;
        },
        timeoutMs,
        `${name} ${what}`,
      );
    } catch (error) {
      const [held, ready] = await Promise.all([this.replicaSets(name).catch(() => []), this.readyPodsByHash(name).catch(() => ({}))]);
      const reported = last
        ? `${last.phase} at step ${last.currentStepIndex} ("${last.message}", generation ${last.observedGeneration}/${last.generation})`
        : 'never read';
      throw new Error(
        `${(error as Error).message}\n  API reports: ${reported}\n  cluster holds: ${JSON.stringify(held)}, ready pods by hash ${JSON.stringify(ready)}`,
      );
    }
  }

  /** Waits until the rollout is in `phase` with its latest spec acted on, and any further `condition` holds. */
  waitForPhase(
    name: string,
    phase: string,
    condition: (rollout: ReportedRollout) => boolean = () => true,
    timeoutMs?: number,
  ): Promise<ReportedRollout> {
    return this.waitFor(
      name,
      `to be ${phase}`,
      (rollout) => rollout.phase === phase && rollout.observedGeneration === rollout.generation && condition(rollout),
      timeoutMs,
    );
  }

  private ref(name: string) {
    return { cluster: this.cluster, namespace: this.namespace, name };
  }
}
