import { NOTIFICATION_CONFIG_MAP_NAME, NOTIFICATION_SECRET_NAME } from '../notification-documents.js';
import { quoted } from '../kubernetes-names.js';
import { childPath, IssueList, keyPath } from './issues.js';
import { isPlainObject } from './schema.js';

const FIELDS = {
  ConfigMap: ['apiVersion', 'kind', 'metadata', 'data'],
  Secret: ['apiVersion', 'kind', 'metadata', 'type', 'data', 'stringData'],
};
const NAMES = { ConfigMap: NOTIFICATION_CONFIG_MAP_NAME, Secret: NOTIFICATION_SECRET_NAME };
const METADATA_FIELDS = ['name', 'namespace', 'labels', 'annotations'];

/** A map of strings; a value is never quoted in a message, since a Secret's are secret. */
function checkStringMap(value: unknown, path: string, issues: IssueList): void {
  if (value === undefined || value === null) return;
  if (!isPlainObject(value)) {
    issues.add(path, 'must be a mapping of keys to strings');
    return;
  }
  for (const [key, element] of Object.entries(value)) if (typeof element !== 'string') issues.add(keyPath(path, key), 'must be a string');
}

/**
 * The envelope of Argo's notification ConfigMap or Secret: the names Argo's controller reads, `v1`, and maps of
 * strings. What the keys mean is read by the notifications library. No message quotes a value.
 * @example checkNotificationDocument({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, undefined).issues
 * // reports metadata.name: 'must be "argo-rollouts-notification-configmap" …'
 */
export function checkNotificationDocument(
  document: Record<string, unknown>,
  kind: 'ConfigMap' | 'Secret',
  namespace: string | undefined,
): { kind: 'ConfigMap' | 'Secret'; name?: string; issues: IssueList } {
  const issues = new IssueList();
  for (const field of Object.keys(document))
    if (!FIELDS[kind].includes(field)) issues.add(childPath('', field), `unknown field ${quoted(field)} for a ${kind}`);
  const metadata = document['metadata'];
  if (!isPlainObject(metadata)) {
    issues.add('metadata', 'is required, with the name');
    return { kind, issues };
  }
  for (const field of Object.keys(metadata))
    if (!METADATA_FIELDS.includes(field)) issues.add(childPath('metadata', field), `unknown field ${quoted(field)}`);
  const name = metadata['name'];
  if (name !== NAMES[kind]) issues.add('metadata.name', `must be "${NAMES[kind]}": the ${kind} Argo Rollouts' notifications read`);
  const documentNamespace = metadata['namespace'];
  if (documentNamespace !== undefined && documentNamespace !== null && documentNamespace !== namespace)
    issues.add(
      'metadata.namespace',
      namespace === undefined
        ? 'must not be set when the configuration is applied to the organization'
        : `differs from the namespace the manifests are applied to ("${namespace}")`,
    );
  checkStringMap(metadata['labels'], 'metadata.labels', issues);
  checkStringMap(metadata['annotations'], 'metadata.annotations', issues);
  checkStringMap(document['data'], 'data', issues);
  if (kind === 'Secret') {
    checkStringMap(document['stringData'], 'stringData', issues);
    const type = document['type'];
    if (type !== undefined && type !== null && type !== 'Opaque') issues.add('type', 'must be Opaque');
  }
  return { kind, ...(typeof name === 'string' ? { name } : {}), issues };
}
