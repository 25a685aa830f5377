import type { MeasurementRequest, RolloutKey } from '@flotilla/protocol';
import type { AuditEventRecord, FleetReleaseRecord } from '@flotilla/stores';

/** The desired state of a rollout or a standalone experiment (its `key`, with `id` its row) changed or it was deleted. */
export interface DesiredStateChanged {
  clusterId: string;
  id: string;
  key: RolloutKey;
}

/**
 * A rollout's row changed, and which version it reached. Not the row: most changes have no subscriber to read it, and
 * an API with one reads the row as it is then.
 */
export interface RolloutChanged {
  id: string;
  version: number;
  cluster: string;
  namespace: string;
  name: string;
}

/** Measurements of one run for the cluster's agent, asked for together so that their answers are recorded together. */
export interface MeasurementRequested {
  clusterId: string;
  requests: MeasurementRequest[];
}

/** Measurements the cluster's agent was asked for whose run stopped: the agent is to stop taking them. */
export interface MeasurementsCancelled {
  clusterId: string;
  requestIds: string[];
}

/** What each topic carries. Payloads cross processes as JSON: a listener revives the dates it reads. */
export interface EventTopics {
  rolloutChanged: RolloutChanged;
  /** A fleet release's record after a change (started, decided, operated on). */
  fleetReleaseChanged: FleetReleaseRecord;
  /** Events appended to one organization's audit chain, in chain order. */
  auditEventsAdded: AuditEventRecord[];
  desiredStateChanged: DesiredStateChanged;
  measurementRequested: MeasurementRequested;
  measurementsCancelled: MeasurementsCancelled;
}

export type Topic = keyof EventTopics;

/**
 * Topics addressed to one cluster's agent. Each cluster has a channel of its own, heard only by the API process
 * holding that agent's connection: with more API replicas, none decodes the others' clusters' events.
 */
export const CLUSTER_TOPICS = ['desiredStateChanged', 'measurementRequested', 'measurementsCancelled'] as const satisfies readonly Topic[];
export type ClusterTopic = (typeof CLUSTER_TOPICS)[number];
/** Topics every listening process hears whole (GraphQL subscriptions filter them by organization). */
export type BroadcastTopic = Exclude<Topic, ClusterTopic>;

export const isClusterTopic = (topic: Topic): topic is ClusterTopic => (CLUSTER_TOPICS as readonly Topic[]).includes(topic);
