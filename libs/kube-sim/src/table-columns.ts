import { isJsonObject, readPath, type KubeObject } from './kube-object.js';
import { formatLabelSelector, requirementsOfLabelSelector } from './label-selector.js';

/** A column of a `meta.k8s.io` Table, as the API server describes it. */
export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'date';
  format: string;
  description: string;
  /** 0: shown by `kubectl get`; 1: only with `-o wide`. */
  priority: number;
}

type Cell = string | number;

/** The columns the API server prints for a kind, and the cells of one object under them. */
interface TablePrinter {
  columns: readonly TableColumn[];
  cells(object: KubeObject, now: number): Cell[];
}

const column = (name: string, type: TableColumn['type'], description: string, priority = 0, format = ''): TableColumn => ({
  name,
  type,
  format,
  description,
  priority,
});
const NAME = column('Name', 'string', 'Name must be unique within a namespace.', 0, 'name');
const AGE = column('Age', 'string', 'CreationTimestamp is a timestamp representing the server time when this object was created.');

/**
 * A duration as `kubectl` and the API server print ages (Go's `duration.HumanDuration`).
 * @example humanDuration(75_000) === '75s'; humanDuration(3_720_000) === '62m'; humanDuration(90_000_000) === '25h'
 */
export function humanDuration(milliseconds: number): string {
  const seconds = Math.floor(milliseconds / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 192) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  const days = Math.floor(hours / 24);
  if (days < 730) return `${days}d`;
  const years = Math.floor(days / 365);
  if (days < 2920) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

const since = (timestamp: unknown, now: number): string =>
  typeof timestamp === 'string' && timestamp !== '' ? humanDuration(now - Date.parse(timestamp)) : '<unknown>';
const age = (object: KubeObject, now: number): string => since(object.metadata.creationTimestamp, now);
const integer = (value: unknown): number => (typeof value === 'number' ? value : 0);
const text = (value: unknown, fallback = '<none>'): string => (typeof value === 'string' && value !== '' ? value : fallback);
const list = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter(isJsonObject) : []);

interface ContainerStatus {
  ready?: boolean;
  restartCount?: number;
  state?: { running?: object; waiting?: { reason?: string }; terminated?: { reason?: string; exitCode?: number; signal?: number } };
  lastState?: { terminated?: { finishedAt?: string } };
}

/** READY, STATUS and RESTARTS of a pod, worked out as the API server's pod printer does. */
function podCells(pod: KubeObject, now: number): [string, string, string] {
  const containers = list(readPath(pod, ['spec', 'containers']));
  const statuses = list(readPath(pod, ['status', 'containerStatuses'])) as ContainerStatus[];
  let reason = text(readPath(pod, ['status', 'reason']), text(readPath(pod, ['status', 'phase']), 'Pending'));
  let ready = 0;
  let restarts = 0;
  let lastRestart = 0;
  let running = false;
  for (const status of [...statuses].reverse()) {
    restarts += status.restartCount ?? 0;
    lastRestart = Math.max(lastRestart, Date.parse(status.lastState?.terminated?.finishedAt ?? '') || 0);
    const { waiting, terminated } = status.state ?? {};
    if (waiting?.reason) reason = waiting.reason;
    else if (terminated?.reason) reason = terminated.reason;
    else if (terminated) reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
    else if (status.ready && status.state?.running) {
      running = true;
      ready += 1;
    }
  }
  if (reason === 'Completed' && running) reason = 'Running';
  if (pod.metadata.deletionTimestamp) reason = 'Terminating';
  const restartText = restarts > 0 && lastRestart > 0 ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);
  return [`${ready}/${containers.length}`, reason, restartText];
}

const containerNames = (template: unknown): string =>
  list(readPath(template, ['spec', 'containers']))
    .map((container) => String(container['name']))
    .join(',');
const containerImages = (template: unknown): string =>
  list(readPath(template, ['spec', 'containers']))
    .map((container) => String(container['image']))
    .join(',');
const selectorText = (selector: unknown): string =>
  isJsonObject(selector) ? formatLabelSelector(requirementsOfLabelSelector(selector)) || '<none>' : '<none>';
const mapSelectorText = (selector: unknown): string =>
  isJsonObject(selector)
    ? Object.entries(selector)
        .map(([key, value]) => `${key}=${String(value)}`)
        .join(',') || '<none>'
    : '<none>';

function serviceExternalIp(service: KubeObject): string {
  const type = text(readPath(service, ['spec', 'type']), 'ClusterIP');
  const externalIps = (readPath(service, ['spec', 'externalIPs']) as string[] | undefined) ?? [];
  if (type === 'ExternalName') return text(readPath(service, ['spec', 'externalName']));
  if (type === 'LoadBalancer') {
    const ingress = list(readPath(service, ['status', 'loadBalancer', 'ingress'])).map((entry) => String(entry['ip'] ?? entry['hostname']));
    const all = [...ingress, ...externalIps];
    return all.length > 0 ? all.join(',') : '<pending>';
  }
  return externalIps.length > 0 ? externalIps.join(',') : '<none>';
}

function servicePorts(service: KubeObject): string {
  const ports = list(readPath(service, ['spec', 'ports'])).map((port) => {
    const nodePort = typeof port['nodePort'] === 'number' && port['nodePort'] > 0 ? `:${port['nodePort']}` : '';
    return `${String(port['port'])}${nodePort}/${text(port['protocol'], 'TCP')}`;
  });
  return ports.length > 0 ? ports.join(',') : '<none>';
}

const PRINTERS: Readonly<Record<string, TablePrinter>> = {
  Pod: {
    columns: [
      NAME,
      column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
      column('Status', 'string', 'The aggregate status of the containers in this pod.'),
      column(
        'Restarts',
        'string',
        'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
      ),
      AGE,
      column('IP', 'string', 'IP address allocated to the pod. Routable at least within the cluster.', 1),
      column('Node', 'string', 'Name of the Node this pod is running on.', 1),
    ],
    cells: (pod, now) => [
      String(pod.metadata.name),
      ...podCells(pod, now),
      age(pod, now),
      text(readPath(pod, ['status', 'podIP'])),
      text(readPath(pod, ['spec', 'nodeName'])),
    ],
  },
  ReplicaSet: {
    columns: [
      NAME,
      column('Desired', 'integer', 'Replicas is the number of desired pods.'),
      column('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
      column('Ready', 'integer', 'The number of ready replicas for this replica set.'),
      AGE,
      column('Containers', 'string', 'Names of each container in the template.', 1),
      column('Images', 'string', 'Images referenced by each container in the template.', 1),
      column('Selector', 'string', 'Selector is a label query over pods that should match the replica count.', 1),
    ],
    cells: (replicaSet, now) => [
      String(replicaSet.metadata.name),
      integer(readPath(replicaSet, ['spec', 'replicas'])),
      integer(readPath(replicaSet, ['status', 'replicas'])),
      integer(readPath(replicaSet, ['status', 'readyReplicas'])),
      age(replicaSet, now),
      containerNames(readPath(replicaSet, ['spec', 'template'])),
      containerImages(readPath(replicaSet, ['spec', 'template'])),
      selectorText(readPath(replicaSet, ['spec', 'selector'])),
    ],
  },
  Service: {
    columns: [
      NAME,
      column('Type', 'string', 'type determines how the Service is exposed.'),
      column('Cluster-IP', 'string', 'clusterIP is the IP address of the service.'),
      column(
        'External-IP',
        'string',
        'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
      ),
      column('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
      AGE,
      column('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', 1),
    ],
    cells: (service, now) => [
      String(service.metadata.name),
      text(readPath(service, ['spec', 'type']), 'ClusterIP'),
      text(readPath(service, ['spec', 'clusterIP'])),
      serviceExternalIp(service),
      servicePorts(service),
      age(service, now),
      mapSelectorText(readPath(service, ['spec', 'selector'])),
    ],
  },
  Event: {
    columns: [
      column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
      column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
      column(
        'Reason',
        'string',
        "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
      ),
      column('Object', 'string', 'The object that this event is about.'),
      column('Subobject', 'string', 'The field of the object this event is about.', 1),
      column('Source', 'string', 'The component reporting this event.', 1),
      column('Message', 'string', 'A human-readable description of the status of this operation.'),
      column('First Seen', 'string', 'The time at which the event was first recorded.', 1),
      column('Count', 'string', 'The number of times this event has occurred.', 1),
      column('Name', 'string', 'Name must be unique within a namespace.', 1, 'name'),
    ],
    cells: (event, now) => [
      since(readPath(event, ['lastTimestamp']) ?? readPath(event, ['eventTime']), now),
      text(readPath(event, ['type'])),
      text(readPath(event, ['reason'])),
      `${text(readPath(event, ['involvedObject', 'kind']), '').toLowerCase()}/${text(readPath(event, ['involvedObject', 'name']), '')}`,
      text(readPath(event, ['involvedObject', 'fieldPath']), ''),
      text(readPath(event, ['source', 'component']), ''),
      text(readPath(event, ['message']), ''),
      since(readPath(event, ['firstTimestamp']), now),
      String(integer(readPath(event, ['count'])) || 1),
      String(event.metadata.name),
    ],
  },
  Namespace: {
    columns: [NAME, column('Status', 'string', 'The status of the namespace'), AGE],
    cells: (namespace, now) => [
      String(namespace.metadata.name),
      text(readPath(namespace, ['status', 'phase']), 'Active'),
      age(namespace, now),
    ],
  },
};

/** What the API server prints for kinds without a printer of their own (and for custom resources without printer columns). */
const DEFAULT_PRINTER: TablePrinter = { columns: [NAME, AGE], cells: (object, now) => [String(object.metadata.name), age(object, now)] };

/** The printer of a kind: its columns and how an object fills them. */
export const tablePrinterOf = (kind: string, custom: boolean): TablePrinter => (custom ? undefined : PRINTERS[kind]) ?? DEFAULT_PRINTER;
