import { invalid, type KubeApiError, type StatusCause } from './api-errors.js';
import { isJsonObject, jsonEqual, readPath, type KubeObject, type StoredObject } from './kube-object.js';
import { matchesLabels, requirementsOfLabelSelector } from './label-selector.js';
import type { ResourceType } from './resource-catalogue.js';

/** What defaulting needs from the cluster it runs in. */
export interface AdmissionContext {
  allocateServiceIp(): string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAMED_RESOURCES = new Set(['namespaces', 'services']);

const required = (field: string): StatusCause => ({ reason: 'FieldValueRequired', message: 'Required value', field });
const invalidValue = (field: string, value: unknown, detail: string): StatusCause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
  field,
});

type Fields = Record<string, unknown>;

function objectAt(parent: Fields, key: string): Fields {
  const existing = parent[key];
  if (isJsonObject(existing)) return existing;
  const created: Fields = {};
  parent[key] = created;
  return created;
}

function defaultField(target: Fields, key: string, value: unknown): void {
  if (target[key] === undefined) target[key] = value;
}

function defaultPodSpec(spec: Fields): void {
  defaultField(spec, 'restartPolicy', 'Always');
  defaultField(spec, 'dnsPolicy', 'ClusterFirst');
  defaultField(spec, 'schedulerName', 'default-scheduler');
  defaultField(spec, 'terminationGracePeriodSeconds', 30);
  defaultField(spec, 'serviceAccountName', 'default');
  defaultField(spec, 'securityContext', {});
  for (const list of ['initContainers', 'containers']) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    for (const container of containers) {
      if (!isJsonObject(container)) continue;
      const image = typeof container['image'] === 'string' ? container['image'] : '';
      const tag = image.includes('@') ? 'digest' : (/:([^:/]+)$/.exec(image)?.[1] ?? 'latest');
      defaultField(container, 'imagePullPolicy', tag === 'latest' ? 'Always' : 'IfNotPresent');
      defaultField(container, 'terminationMessagePath', '/dev/termination-log');
      defaultField(container, 'terminationMessagePolicy', 'File');
      defaultField(container, 'resources', {});
      const ports = container['ports'];
      if (Array.isArray(ports)) ports.filter(isJsonObject).forEach((port) => defaultField(port, 'protocol', 'TCP'));
    }
  }
}

/** Fills in the defaults the real API server writes on create, so clients see the same shapes. */
function applyCreateDefaults(resource: ResourceType, object: StoredObject, context: AdmissionContext): void {
  const body = object as Fields;
  switch (resource.kind) {
    case 'Namespace':
      object.metadata.labels = { ...object.metadata.labels, 'kubernetes.io/metadata.name': object.metadata.name };
      defaultField(objectAt(body, 'spec'), 'finalizers', ['kubernetes']);
      body['status'] = { phase: 'Active' };
      return;
    case 'Pod':
      defaultPodSpec(objectAt(body, 'spec'));
      body['status'] = { phase: 'Pending', qosClass: 'BestEffort' };
      return;
    case 'ReplicaSet': {
      const spec = objectAt(body, 'spec');
      defaultField(spec, 'replicas', 1);
      defaultPodSpec(objectAt(objectAt(spec, 'template'), 'spec'));
      body['status'] = { replicas: 0 };
      return;
    }
    case 'Job':
      defaultJob(object);
      return;
    case 'Service':
      defaultService(objectAt(body, 'spec'), context);
      body['status'] = { loadBalancer: {} };
      return;
    case 'Secret':
      defaultSecret(body);
      return;
  }
}

function defaultJob(job: StoredObject): void {
  const body = job as Fields;
  const spec = objectAt(body, 'spec');
  defaultField(spec, 'parallelism', 1);
  defaultField(spec, 'completions', 1);
  defaultField(spec, 'backoffLimit', 6);
  defaultField(spec, 'completionMode', 'NonIndexed');
  defaultField(spec, 'suspend', false);
  const template = objectAt(spec, 'template');
  defaultPodSpec(objectAt(template, 'spec'));
  if (spec['manualSelector'] !== true) {
    const generatedLabels = {
      'batch.kubernetes.io/controller-uid': job.metadata.uid,
      'batch.kubernetes.io/job-name': job.metadata.name,
      'controller-uid': job.metadata.uid,
      'job-name': job.metadata.name,
    };
    const templateMetadata = objectAt(template, 'metadata');
    templateMetadata['labels'] = { ...(templateMetadata['labels'] as Fields | undefined), ...generatedLabels };
    spec['selector'] = { matchLabels: { 'batch.kubernetes.io/controller-uid': job.metadata.uid } };
  }
  body['status'] = {};
}

function defaultService(spec: Fields, context: AdmissionContext): void {
  defaultField(spec, 'type', 'ClusterIP');
  defaultField(spec, 'sessionAffinity', 'None');
  if (spec['type'] !== 'ExternalName') {
    defaultField(spec, 'clusterIP', context.allocateServiceIp());
    defaultField(spec, 'clusterIPs', [spec['clusterIP']]);
    defaultField(spec, 'ipFamilies', ['IPv4']);
    defaultField(spec, 'ipFamilyPolicy', 'SingleStack');
  }
  defaultServicePorts(spec);
}

function defaultServicePorts(spec: Fields): void {
  const ports = spec['ports'];
  if (!Array.isArray(ports)) return;
  for (const port of ports.filter(isJsonObject)) {
    defaultField(port, 'protocol', 'TCP');
    defaultField(port, 'targetPort', port['port']);
  }
}

function defaultSecret(body: Fields): void {
  defaultField(body, 'type', 'Opaque');
  const stringData = body['stringData'];
  if (!isJsonObject(stringData)) return;
  const data = objectAt(body, 'data');
  for (const [key, value] of Object.entries(stringData)) data[key] = Buffer.from(String(value)).toString('base64');
  delete body['stringData'];
}

function validateName(resource: ResourceType, name: string): StatusCause[] {
  const pattern = LABEL_NAMED_RESOURCES.has(resource.plural) ? DNS_LABEL : DNS_SUBDOMAIN;
  const limit = LABEL_NAMED_RESOURCES.has(resource.plural) ? 63 : 253;
  if (pattern.test(name) && name.length <= limit) return [];
  return [
    invalidValue(
      'metadata.name',
      name,
      `a lowercase RFC 1123 ${pattern === DNS_LABEL ? 'label' : 'subdomain'} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    ),
  ];
}

function validateContainers(containers: unknown, field: string): StatusCause[] {
  if (!Array.isArray(containers) || containers.length === 0) return [required(field)];
  return containers.flatMap((container, index) => {
    const causes: StatusCause[] = [];
    if (!isJsonObject(container) || typeof container['name'] !== 'string' || container['name'] === '')
      causes.push(required(`${field}[${index}].name`));
    if (!isJsonObject(container) || typeof container['image'] !== 'string' || container['image'] === '')
      causes.push(required(`${field}[${index}].image`));
    return causes;
  });
}

function validateSelectorMatchesTemplate(object: KubeObject): StatusCause[] {
  const selector = readPath(object, ['spec', 'selector']);
  if (!isJsonObject(selector)) return [required('spec.selector')];
  const requirements = requirementsOfLabelSelector(selector);
  if (requirements.length === 0) return [invalidValue('spec.selector', selector, 'empty selector is invalid for deployment')];
  const labels = readPath(object, ['spec', 'template', 'metadata', 'labels']) as Record<string, string> | undefined;
  if (!matchesLabels(requirements, labels)) {
    return [invalidValue('spec.template.metadata.labels', labels ?? {}, '`selector` does not match template `labels`')];
  }
  return [];
}

function validateSpec(resource: ResourceType, object: KubeObject): StatusCause[] {
  switch (resource.kind) {
    case 'Pod':
      return validateContainers(readPath(object, ['spec', 'containers']), 'spec.containers');
    case 'ReplicaSet': {
      const replicas = readPath(object, ['spec', 'replicas']);
      const replicaCauses =
        typeof replicas === 'number' && replicas < 0 ? [invalidValue('spec.replicas', replicas, 'must be greater than or equal to 0')] : [];
      return [
        ...replicaCauses,
        ...validateSelectorMatchesTemplate(object),
        ...validateContainers(readPath(object, ['spec', 'template', 'spec', 'containers']), 'spec.template.spec.containers'),
      ];
    }
    case 'Job': {
      const restartPolicy = readPath(object, ['spec', 'template', 'spec', 'restartPolicy']);
      const restartCauses =
        restartPolicy === 'Never' || restartPolicy === 'OnFailure'
          ? []
          : [
              {
                reason: 'FieldValueNotSupported',
                message: `Unsupported value: ${JSON.stringify(restartPolicy)}: supported values: "OnFailure", "Never"`,
                field: 'spec.template.spec.restartPolicy',
              },
            ];
      return [
        ...restartCauses,
        ...validateSelectorMatchesTemplate(object),
        ...validateContainers(readPath(object, ['spec', 'template', 'spec', 'containers']), 'spec.template.spec.containers'),
      ];
    }
    case 'Service': {
      const type = readPath(object, ['spec', 'type']);
      const headless = readPath(object, ['spec', 'clusterIP']) === 'None';
      const ports = readPath(object, ['spec', 'ports']);
      if (type === 'ExternalName' || headless || (Array.isArray(ports) && ports.length > 0)) return [];
      return [required('spec.ports')];
    }
    default:
      return [];
  }
}

const IMMUTABLE_FIELDS: Readonly<Record<string, ReadonlyArray<readonly string[]>>> = {
  ReplicaSet: [['spec', 'selector']],
  Job: [
    ['spec', 'selector'],
    ['spec', 'template'],
    ['spec', 'completionMode'],
  ],
};

/**
 * Defaults and validates an object about to be created; `object.metadata` already carries its name and uid.
 * Throws a 422 `Invalid` KubeApiError listing every failed field.
 */
export function admitCreate(resource: ResourceType, object: StoredObject, context: AdmissionContext): void {
  const nameCauses = validateName(resource, object.metadata.name);
  applyCreateDefaults(resource, object, context);
  const causes = [...nameCauses, ...validateSpec(resource, object)];
  if (causes.length > 0) throw invalid(resource, object.metadata.name, causes);
}

/** Validates a replacement of `previous` (immutable fields, spec rules) and carries over allocated values. */
export function admitUpdate(resource: ResourceType, object: StoredObject, previous: StoredObject): void {
  if (resource.kind === 'Service') {
    const spec = objectAt(object, 'spec');
    for (const allocated of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy']) {
      defaultField(spec, allocated, readPath(previous, ['spec', allocated]));
    }
    defaultServicePorts(spec);
  }
  if (resource.kind === 'Pod' || resource.kind === 'ReplicaSet' || resource.kind === 'Job') {
    defaultPodSpec(objectAt(resource.kind === 'Pod' ? object : objectAt(objectAt(object, 'spec'), 'template'), 'spec'));
  }
  const immutableCauses = (IMMUTABLE_FIELDS[resource.kind] ?? [])
    .filter((path) => !jsonEqual(readPath(object, path), readPath(previous, path)))
    .map((path) => invalidValue(path.join('.'), readPath(object, path) ?? null, 'field is immutable'));
  const causes = [...immutableCauses, ...validateSpec(resource, object)];
  if (causes.length > 0) throw invalid(resource, object.metadata.name, causes);
}

/** The 422 for a create that names no object. */
export function missingName(resource: ResourceType): KubeApiError {
  return invalid(resource, '', [
    { reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' },
  ]);
}
