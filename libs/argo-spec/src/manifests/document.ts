import { FLEET_API_VERSION, type FleetRolloutSpec } from '../fleet-rollout.js';
import type { FreezeWindowSpec } from '../freeze-window.js';
import { apiVersionOf, isOrganizationScoped, MANIFEST_KINDS, type ManifestKind } from '../manifest.js';
import { ARGO_API_VERSION, type AnalysisTemplateSpec, type ExperimentSpec, type RolloutSpec } from '../types.js';
import { checkAnalysisTemplateSpec } from './analysis-template-rules.js';
import { dns1123SubdomainProblem, GENERATED_NAME_SUFFIX_LENGTH, generatedName, quoted } from '../kubernetes-names.js';
import { checkDerivedNames } from './derived-names.js';
import { checkExperimentSpec } from './experiment-rules.js';
import { checkFleetRolloutSpec } from './fleet-rollout-rules.js';
import { checkFreezeWindowSpec } from './freeze-window-rules.js';
import { checkStorableData } from './storable-data.js';
import { checkNotificationDocument } from './notification-document-rules.js';
import { KUBERNETES_CORE_API_VERSION } from '../notification-documents.js';
import { childPath, IssueList } from './issues.js';
import { checkRolloutSpec } from './rollout-rules.js';
import { describeValue, isPlainObject, type Loose } from './schema.js';
import {
  analysisTemplateSpecSchema,
  experimentSpecSchema,
  fleetRolloutSpecSchema,
  freezeWindowSpecSchema,
  objectMetaSchema,
  rolloutSpecSchema,
} from './shapes.js';

/** A document's spec after its shape was checked, tagged by kind. */
export type CheckedSpec =
  | { kind: 'Rollout'; spec: Loose<RolloutSpec> }
  | { kind: 'AnalysisTemplate' | 'ClusterAnalysisTemplate'; spec: Loose<AnalysisTemplateSpec> }
  | { kind: 'Experiment'; spec: Loose<ExperimentSpec> }
  | { kind: 'FleetRollout'; spec: Loose<FleetRolloutSpec> }
  | { kind: 'FreezeWindow'; spec: Loose<FreezeWindowSpec> };

export interface CheckedDocument {
  kind?: ManifestKind;
  name?: string;
  /** Absent when the kind is unknown or the spec is not an object. */
  checked?: CheckedSpec;
  issues: IssueList;
}

const DOCUMENT_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec'];

const API_VERSIONS: readonly string[] = [ARGO_API_VERSION, FLEET_API_VERSION, KUBERNETES_CORE_API_VERSION];

function isManifestKind(kind: unknown): kind is ManifestKind {
  return typeof kind === 'string' && (MANIFEST_KINDS as readonly string[]).includes(kind);
}

function checkApiVersion(apiVersion: unknown, kind: ManifestKind | undefined, issues: IssueList): void {
  if (apiVersion === undefined || apiVersion === null) return;
  if (kind !== undefined) {
    const expected = apiVersionOf(kind);
    if (apiVersion !== expected) issues.add('apiVersion', `must be "${expected}" for a ${kind}, not ${describeValue(apiVersion)}`);
  } else if (typeof apiVersion !== 'string' || !API_VERSIONS.includes(apiVersion)) {
    issues.add(
      'apiVersion',
      `must be one of ${API_VERSIONS.map((version) => `"${version}"`).join(', ')}, not ${describeValue(apiVersion)}`,
    );
  }
}

function checkSpec(kind: ManifestKind, spec: unknown, issues: IssueList): CheckedSpec | undefined {
  switch (kind) {
    case 'Rollout': {
      const checked = rolloutSpecSchema.check(spec, 'spec', issues);
      if (checked === undefined) return undefined;
      checkRolloutSpec(checked, issues);
      return { kind, spec: checked };
    }
    case 'AnalysisTemplate':
    case 'ClusterAnalysisTemplate': {
      const checked = analysisTemplateSpecSchema.check(spec, 'spec', issues);
      if (checked === undefined) return undefined;
      checkAnalysisTemplateSpec(checked, issues);
      return { kind, spec: checked };
    }
    case 'Experiment': {
      const checked = experimentSpecSchema.check(spec, 'spec', issues);
      if (checked === undefined) return undefined;
      checkExperimentSpec(checked, issues);
      return { kind, spec: checked };
    }
    case 'FleetRollout': {
      const checked = fleetRolloutSpecSchema.check(spec, 'spec', issues);
      if (checked === undefined) return undefined;
      checkFleetRolloutSpec(checked, issues);
      return { kind, spec: checked };
    }
    case 'FreezeWindow': {
      const checked = freezeWindowSpecSchema.check(spec, 'spec', issues);
      if (checked === undefined) return undefined;
      checkFreezeWindowSpec(checked, issues);
      return { kind, spec: checked };
    }
    // Checked as a whole by checkNotificationDocument when written as `v1`; otherwise its apiVersion is refused.
    case 'ConfigMap':
    case 'Secret':
      return undefined;
  }
}

/** Kubernetes ignores `generateName` beside a name; Flotilla accepts it on Experiments only, which it creates afresh. */
function checkGenerateName(metadata: Record<string, unknown>, kind: ManifestKind | undefined, issues: IssueList): void {
  const generateName = metadata['generateName'];
  if (generateName === undefined || generateName === null || kind === undefined || kind === 'Experiment') return;
  issues.add('metadata.generateName', `is accepted on an Experiment only: a ${kind} is applied by its name`);
}

function checkName(metadata: Record<string, unknown>, kind: ManifestKind | undefined, issues: IssueList): string | undefined {
  const name = metadata['name'];
  if (name === undefined || name === null) {
    const generateName = metadata['generateName'];
    if (kind === 'Experiment' && generateName !== undefined && generateName !== null) return undefined;
    issues.add('metadata.name', kind === 'Experiment' ? 'is required, unless generateName is set' : 'is required');
    return undefined;
  }
  if (typeof name !== 'string') return undefined;
  const problem = dns1123SubdomainProblem(name);
  if (problem !== undefined) issues.add('metadata.name', `is not a valid name: ${problem}`);
  return name;
}

function checkNamespace(
  documentNamespace: string | undefined,
  kind: ManifestKind | undefined,
  namespace: string | undefined,
  issues: IssueList,
): void {
  if (documentNamespace === undefined) return;
  if (kind !== undefined && isOrganizationScoped(kind)) {
    issues.add('metadata.namespace', `must not be set: a ${kind} belongs to the organization, not to a namespace`);
  } else if (namespace !== undefined && documentNamespace !== namespace) {
    issues.add('metadata.namespace', `"${documentNamespace}" differs from the namespace the manifests are applied to ("${namespace}")`);
  }
}

/**
 * Everything that can be said about one document on its own: envelope, metadata, shape of the spec and its meaning.
 * `namespace` is the one the documents are applied to, if any.
 * @example checkDocument({ apiVersion: 'apps/v1', kind: 'Deployment' }, 'shop').issues reports `apiVersion` and `kind`.
 */
export function checkDocument(value: unknown, namespace: string | undefined): CheckedDocument {
  const issues = new IssueList();
  if (!isPlainObject(value)) {
    issues.add('', `must be a mapping with apiVersion, kind, metadata and spec, not ${describeValue(value)}`);
    return { issues };
  }
  // Text no store keeps, or nesting deep enough to exhaust the checks below, leaves nothing else worth saying.
  checkStorableData(value, issues);
  if (!issues.isEmpty) return { issues };
  if (value['apiVersion'] === KUBERNETES_CORE_API_VERSION && (value['kind'] === 'ConfigMap' || value['kind'] === 'Secret'))
    return checkNotificationDocument(value, value['kind'], namespace);
  for (const field of Object.keys(value)) {
    if (!DOCUMENT_FIELDS.includes(field)) issues.add(childPath('', field), `unknown field ${quoted(field)}`);
  }
  for (const field of DOCUMENT_FIELDS) {
    if (value[field] === undefined || value[field] === null) issues.add(field, 'is required');
  }

  const { apiVersion, kind, metadata, spec } = value;
  const knownKind = isManifestKind(kind) ? kind : undefined;
  checkApiVersion(apiVersion, knownKind, issues);
  if (kind !== undefined && kind !== null && knownKind === undefined) {
    issues.add('kind', `${describeValue(kind)} is not an accepted kind; expected one of ${MANIFEST_KINDS.join(', ')}`);
  }

  let name: string | undefined;
  let longestName: string | undefined;
  if (metadata !== undefined && metadata !== null) {
    const checkedMetadata = objectMetaSchema.check(metadata, 'metadata', issues);
    if (isPlainObject(metadata)) {
      name = checkName(metadata, knownKind, issues);
      checkGenerateName(metadata, knownKind, issues);
    }
    checkNamespace(checkedMetadata?.namespace, knownKind, namespace, issues);
    const generateName = checkedMetadata?.generateName;
    // The name it will be given is as long as this one: derived names are judged by it.
    if (name === undefined && knownKind === 'Experiment' && generateName !== undefined) {
      longestName = generatedName(generateName, '0'.repeat(GENERATED_NAME_SUFFIX_LENGTH));
    } else longestName = name;
  }

  const checked = knownKind !== undefined && spec !== undefined && spec !== null ? checkSpec(knownKind, spec, issues) : undefined;
  if (knownKind !== undefined && longestName !== undefined) checkDerivedNames(knownKind, longestName, checked, issues);
  return { ...(knownKind && { kind: knownKind }), ...(name !== undefined && { name }), ...(checked && { checked }), issues };
}
