import { ARGO_API_VERSION, ARGO_KINDS, type AnalysisTemplateSpec, type ArgoKind, type ExperimentSpec, type RolloutSpec } from '../types.js';
import { checkAnalysisTemplateSpec } from './analysis-template-rules.js';
import { dns1123SubdomainProblem, quoted } from '../kubernetes-names.js';
import { checkDerivedNames } from './derived-names.js';
import { checkExperimentSpec } from './experiment-rules.js';
import { checkStorableData } from './storable-data.js';
import { childPath, IssueList } from './issues.js';
import { checkRolloutSpec } from './rollout-rules.js';
import { describeValue, isPlainObject, type Loose } from './schema.js';
import { analysisTemplateSpecSchema, experimentSpecSchema, objectMetaSchema, rolloutSpecSchema } from './shapes.js';

/** A document's spec after its shape was checked, tagged by kind. */
export type CheckedSpec =
  | { kind: 'Rollout'; spec: Loose<RolloutSpec> }
  | { kind: 'AnalysisTemplate' | 'ClusterAnalysisTemplate'; spec: Loose<AnalysisTemplateSpec> }
  | { kind: 'Experiment'; spec: Loose<ExperimentSpec> };

export interface CheckedDocument {
  kind?: ArgoKind;
  name?: string;
  /** Absent when the kind is unknown or the spec is not an object. */
  checked?: CheckedSpec;
  issues: IssueList;
}

const DOCUMENT_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec'];

function isArgoKind(kind: unknown): kind is ArgoKind {
  return typeof kind === 'string' && (ARGO_KINDS as readonly string[]).includes(kind);
}

function checkSpec(kind: ArgoKind, spec: unknown, issues: IssueList): CheckedSpec | undefined {
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
  }
}

function checkName(metadata: Record<string, unknown>, issues: IssueList): string | undefined {
  const name = metadata['name'];
  if (name === undefined || name === null) {
    issues.add('metadata.name', 'is required');
    return undefined;
  }
  if (typeof name !== 'string') return undefined;
  const problem = dns1123SubdomainProblem(name);
  if (problem !== undefined) issues.add('metadata.name', `is not a valid name: ${problem}`);
  return name;
}

/**
 * Everything that can be said about one document on its own: envelope, metadata, shape of the spec and its meaning.
 * @example checkDocument({ apiVersion: 'apps/v1', kind: 'Deployment' }, 'shop').issues reports `apiVersion` and `kind`.
 */
export function checkDocument(value: unknown, namespace: string): CheckedDocument {
  const issues = new IssueList();
  if (!isPlainObject(value)) {
    issues.add('', `must be a mapping with apiVersion, kind, metadata and spec, not ${describeValue(value)}`);
    return { issues };
  }
  // Text no store keeps, or nesting deep enough to exhaust the checks below, leaves nothing else worth saying.
  checkStorableData(value, issues);
  if (!issues.isEmpty) return { issues };
  for (const field of Object.keys(value)) {
    if (!DOCUMENT_FIELDS.includes(field)) issues.add(childPath('', field), `unknown field ${quoted(field)}`);
  }
  for (const field of DOCUMENT_FIELDS) {
    if (value[field] === undefined || value[field] === null) issues.add(field, 'is required');
  }

  const { apiVersion, kind, metadata, spec } = value;
  if (apiVersion !== undefined && apiVersion !== null && apiVersion !== ARGO_API_VERSION) {
    issues.add('apiVersion', `must be "${ARGO_API_VERSION}", not ${describeValue(apiVersion)}`);
  }
  const knownKind = isArgoKind(kind) ? kind : undefined;
  if (kind !== undefined && kind !== null && knownKind === undefined) {
    issues.add('kind', `${describeValue(kind)} is not an accepted kind; expected one of ${ARGO_KINDS.join(', ')}`);
  }

  let name: string | undefined;
  if (metadata !== undefined && metadata !== null) {
    const checkedMetadata = objectMetaSchema.check(metadata, 'metadata', issues);
    if (isPlainObject(metadata)) name = checkName(metadata, issues);
    const documentNamespace = checkedMetadata?.namespace;
    if (documentNamespace !== undefined && documentNamespace !== namespace) {
      issues.add('metadata.namespace', `"${documentNamespace}" differs from the namespace the manifests are applied to ("${namespace}")`);
    }
  }

  const checked = knownKind !== undefined && spec !== undefined && spec !== null ? checkSpec(knownKind, spec, issues) : undefined;
  if (knownKind !== undefined && name !== undefined) checkDerivedNames(knownKind, name, checked, issues);
  return { ...(knownKind && { kind: knownKind }), ...(name !== undefined && { name }), ...(checked && { checked }), issues };
}
