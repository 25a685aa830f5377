import type { ExperimentTemplate, PodTemplateSpec } from '@flotilla/argo-spec';
import {
  EXPERIMENT_LABEL,
  EXPERIMENT_TEMPLATE_LABEL,
  POD_TEMPLATE_HASH_LABEL,
  type DesiredExperimentService,
  type DesiredReplicaSet,
  type DesiredServicePort,
} from '@flotilla/protocol';
import { hashOf } from '../pod-template-hash.js';

/** An experiment's ReplicaSets are named as upstream names them: `<experiment>-<template>`. */
export const experimentReplicaSetName = (experiment: string, template: string): string => `${experiment}-${template}`;

/** The Service of a template: the name it gives, else its ReplicaSet's name, as upstream. */
export const experimentServiceName = (experiment: string, template: Pick<ExperimentTemplate, 'name' | 'service'>): string =>
  template.service?.name || experimentReplicaSetName(experiment, template.name);

/**
 * The hash of a template's pods, over the experiment's name and the pod template: two experiments running the same
 * template (a baseline in two steps) get distinct pods, and no experiment shares a hash with a rollout revision.
 */
export const experimentTemplateHash = (experiment: string, template: ExperimentTemplate): string =>
  hashOf({ experiment, template: template.template });

function withHashLabel(template: PodTemplateSpec, hash: string): PodTemplateSpec {
  return { ...template, metadata: { ...template.metadata, labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash } } };
}

/** The ReplicaSet running a template, at `replicas`. */
export function experimentReplicaSet(experiment: string, template: ExperimentTemplate, replicas: number): DesiredReplicaSet {
  const hash = experimentTemplateHash(experiment, template);
  return {
    name: experimentReplicaSetName(experiment, template.name),
    podTemplateHash: hash,
    template: withHashLabel(template.template, hash),
    replicas,
    labels: { [EXPERIMENT_LABEL]: experiment, [EXPERIMENT_TEMPLATE_LABEL]: template.name },
    annotations: {},
    ...(template.minReadySeconds ? { minReadySeconds: template.minReadySeconds } : {}),
    restart: undefined,
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The ports of every container, as upstream exposes them; a template without ports gets no Service. */
function servicePorts(template: PodTemplateSpec): DesiredServicePort[] {
  const ports: DesiredServicePort[] = [];
  for (const container of template.spec.containers) {
    for (const port of Array.isArray(container.ports) ? container.ports : []) {
      if (!isRecord(port) || typeof port.containerPort !== 'number') continue;
      ports.push({
        ...(typeof port.name === 'string' ? { name: port.name } : {}),
        protocol: typeof port.protocol === 'string' ? port.protocol : 'TCP',
        port: port.containerPort,
        targetPort: port.containerPort,
      });
    }
  }
  return ports;
}

/** The Service of a template that asks for one (or is weighted), selecting exactly its pods; undefined otherwise. */
export function experimentService(experiment: string, template: ExperimentTemplate): DesiredExperimentService | undefined {
  if (template.service === undefined && template.weight === undefined) return undefined;
  const ports = servicePorts(template.template);
  if (ports.length === 0) return undefined;
  return {
    name: experimentServiceName(experiment, template),
    labels: { [EXPERIMENT_LABEL]: experiment, [EXPERIMENT_TEMPLATE_LABEL]: template.name },
    selector: { ...template.selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: experimentTemplateHash(experiment, template) },
    ports,
  };
}
