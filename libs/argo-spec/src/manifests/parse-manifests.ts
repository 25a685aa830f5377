import { isOrganizationScoped, isPlacedEitherWay, type Manifest, type ManifestKind } from '../manifest.js';
import { type CheckedDocument, checkDocument } from './document.js';
import { IssueList, type ManifestIssue } from './issues.js';
import { templateReferences } from './template-references.js';
import { readYamlDocuments } from './yaml-documents.js';

export interface ValidationContext {
  /**
   * The namespace the documents are applied to; a document's metadata.namespace, when set, must equal it.
   * Absent when they are applied to the organization itself: only organization-scoped kinds (FleetRollout) are accepted.
   */
  namespace?: string;
  /** AnalysisTemplates already stored in that cluster and namespace, by name, with the arguments each needs passed. */
  knownAnalysisTemplates: ReadonlyMap<string, readonly string[]>;
  /** ClusterAnalysisTemplates already stored for the organization, as `knownAnalysisTemplates`. */
  knownClusterAnalysisTemplates: ReadonlyMap<string, readonly string[]>;
}

export type ManifestParseResult = { ok: true; documents: Manifest[] } | { ok: false; errors: ManifestIssue[] };

function checkDuplicateNames(documents: readonly CheckedDocument[]): void {
  const firstIndexByKindAndName = new Map<string, number>();
  documents.forEach((document, index) => {
    if (document.kind === undefined || document.name === undefined) return;
    const key = `${document.kind}/${document.name}`;
    const firstIndex = firstIndexByKindAndName.get(key);
    if (firstIndex === undefined) firstIndexByKindAndName.set(key, index);
    else document.issues.add('metadata.name', `${document.kind} "${document.name}" is already defined by document ${firstIndex}`);
  });
}

const placeOf = (kind: ManifestKind): string => (isOrganizationScoped(kind) ? 'the organization' : 'a cluster namespace');

/**
 * One apply goes to one place: a namespace of a cluster, or the organization. The first document's kind decides;
 * a later document of the other scope is refused, and so is any namespaced one when no namespace is given. Argo's
 * notification ConfigMap and Secret go with the others, or where the apply names.
 */
function checkPlacement(documents: readonly CheckedDocument[], namespace: string | undefined): void {
  const first = documents.findIndex((document) => document.kind !== undefined && !isPlacedEitherWay(document.kind));
  const firstKind = documents[first]?.kind;
  if (firstKind === undefined) return;
  const organizationWide = isOrganizationScoped(firstKind);
  documents.forEach((document) => {
    if (document.kind === undefined || isPlacedEitherWay(document.kind)) return;
    if (isOrganizationScoped(document.kind) !== organizationWide) {
      document.issues.add(
        'kind',
        `a ${document.kind} belongs to ${placeOf(document.kind)}, and document ${first} (a ${firstKind}) to ${placeOf(firstKind)}: apply them separately`,
      );
    } else if (namespace === undefined && !isOrganizationScoped(document.kind)) {
      document.issues.add('kind', `a ${document.kind} belongs to a cluster namespace: give the cluster and namespace to apply it to`);
    }
  });
}

type TemplateKind = 'AnalysisTemplate' | 'ClusterAnalysisTemplate';

/** Arguments a template declares with neither value nor valueFrom: whoever runs it must pass them. */
export function argumentsToPass(spec: {
  args?: readonly ({ name?: string; value?: unknown; valueFrom?: unknown } | undefined)[];
}): string[] {
  return (spec.args ?? []).flatMap((argument) =>
    argument?.name !== undefined && argument.value === undefined && argument.valueFrom === undefined ? [argument.name] : [],
  );
}

function unresolvedArguments(document: CheckedDocument): string[] {
  if (document.checked?.kind !== 'AnalysisTemplate' && document.checked?.kind !== 'ClusterAnalysisTemplate') return [];
  return argumentsToPass(document.checked.spec);
}

/** Templates of one kind applied together, by name, with the arguments each needs passed. */
function appliedTemplates(documents: readonly CheckedDocument[], kind: TemplateKind): Map<string, string[]> {
  return new Map(
    documents.flatMap((document) =>
      document.kind === kind && document.name !== undefined ? [[document.name, unresolvedArguments(document)] as const] : [],
    ),
  );
}

function checkTemplateReferences(documents: readonly CheckedDocument[], context: ValidationContext): void {
  const applied = {
    AnalysisTemplate: appliedTemplates(documents, 'AnalysisTemplate'),
    ClusterAnalysisTemplate: appliedTemplates(documents, 'ClusterAnalysisTemplate'),
  };
  const stored = { AnalysisTemplate: context.knownAnalysisTemplates, ClusterAnalysisTemplate: context.knownClusterAnalysisTemplates };
  for (const document of documents) {
    if (document.checked === undefined) continue;
    for (const reference of templateReferences(document.checked)) {
      const kind: TemplateKind = reference.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
      // A FleetRollout's namespaced templates live in each cluster: they are looked for when its runs start.
      if (kind === 'AnalysisTemplate' && context.namespace === undefined) continue;
      // A template applied with these manifests replaces the stored one of that name.
      const neededArguments = applied[kind].get(reference.templateName) ?? stored[kind].get(reference.templateName);
      if (neededArguments === undefined) {
        const where = kind === 'AnalysisTemplate' ? `AnalysisTemplate in namespace "${context.namespace}"` : kind;
        document.issues.add(reference.path, `no ${where} named "${reference.templateName}" exists or is applied with these manifests`);
      }
      const missing = (neededArguments ?? []).filter((argument) => !reference.passedArguments.includes(argument));
      if (missing.length > 0) {
        document.issues.add(
          reference.path,
          `${kind} "${reference.templateName}" needs ${missing.map((argument) => `"${argument}"`).join(', ')} passed in args, as it declares no value for ${missing.length === 1 ? 'it' : 'them'}`,
        );
      }
    }
  }
}

/**
 * Reads the multi-document YAML an apply carries and validates every document as Argo Rollouts would (and
 * FleetRollouts as Flotilla does), together with what they reference: all issues are reported at once, each with
 * its document and field path. The documents of one apply all belong to a cluster namespace, or all to the organization.
 *
 * `documentIndex` counts only documents with content: empty ones (two `---` in a row, a trailing `---`,
 * a document of comments or a bare `null`) are skipped and take no index. Documents come back exactly as
 * parsed, with no defaults filled in.
 *
 * @example
 * parseManifests('apiVersion: argoproj.io/v1alpha1\nkind: Deployment\n', context)
 * // => { ok: false, errors: [{ documentIndex: 0, path: 'kind', message: 'the string "Deployment" is not an accepted kind; …' }, …] }
 */
export function parseManifests(yamlText: string, context: ValidationContext): ManifestParseResult {
  const yamlDocuments = readYamlDocuments(yamlText);
  const documents = yamlDocuments.map((document): CheckedDocument => {
    if (document.readable) return checkDocument(document.value, context.namespace);
    const issues = new IssueList();
    for (const issue of document.issues) issues.add(issue.path, issue.message);
    return { issues };
  });
  checkDuplicateNames(documents);
  checkPlacement(documents, context.namespace);
  checkTemplateReferences(documents, context);

  const errors = documents.flatMap((document, documentIndex) => document.issues.items.map((issue) => ({ documentIndex, ...issue })));
  if (errors.length > 0) return { ok: false, errors };
  // Every document passed the checks that mirror types.ts and fleet-rollout.ts, so each one is a Manifest as written.
  return { ok: true, documents: yamlDocuments.map((document) => (document.readable ? document.value : undefined) as Manifest) };
}
