import { badRequest } from './api-errors.js';
import type { KubeObject, StoredObject } from './kube-object.js';
import { presentObject } from './presented-object.js';
import type { ResourceType } from './resource-catalogue.js';
import { tablePrinterOf } from './table-columns.js';

/** The `meta.k8s.io` version of the Table a client asked for. */
export type TableVersion = 'v1' | 'v1beta1';
type IncludeObject = 'None' | 'Metadata' | 'Object';

/**
 * The Table version an `Accept` header asks for, when its first media type the simulator serves is a Table:
 * kubectl sends `application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json`.
 * Media types it does not serve (protobuf, other `as=` forms) are passed over, as the API server passes over them.
 * @example tableVersionAccepted('application/json;as=Table;v=v1;g=meta.k8s.io, application/json') === 'v1'
 * @example tableVersionAccepted('application/json') === undefined
 */
export function tableVersionAccepted(accept: string | undefined): TableVersion | undefined {
  for (const range of (accept ?? '').split(',')) {
    const [mediaType = '', ...parameterTexts] = range.split(';').map((part) => part.trim());
    if (mediaType !== 'application/json' && mediaType !== '*/*' && mediaType !== 'application/*') continue;
    const parameters = new Map(parameterTexts.map((parameter) => parameter.split('=').map((part) => part.trim()) as [string, string]));
    const as = parameters.get('as');
    if (as === undefined) return undefined;
    const version = parameters.get('v');
    if (as === 'Table' && parameters.get('g') === 'meta.k8s.io' && (version === 'v1' || version === 'v1beta1')) return version;
  }
  return undefined;
}

function includeObjectOf(query: URLSearchParams): IncludeObject {
  const value = query.get('includeObject') ?? 'Metadata';
  if (value === 'None' || value === 'Metadata' || value === 'Object') return value;
  throw badRequest(`includeObject: Unsupported value: ${JSON.stringify(value)}: supported values: "None", "Metadata", "Object"`);
}

/**
 * The objects as a `meta.k8s.io` Table with the columns the API server prints for their kind; each row carries its
 * object as `PartialObjectMetadata` (the default), whole (`includeObject=Object`) or not at all (`None`).
 */
export function tableOf(
  resource: ResourceType,
  apiVersion: string,
  objects: readonly StoredObject[],
  listMetadata: Record<string, unknown>,
  request: { version: TableVersion; query: URLSearchParams; now: number },
): object {
  const include = includeObjectOf(request.query);
  const printer = tablePrinterOf(resource.kind, resource.custom);
  const metaVersion = `meta.k8s.io/${request.version}`;
  const rowObject = (object: KubeObject): object | undefined => {
    if (include === 'None') return undefined;
    if (include === 'Object') return presentObject(object, apiVersion);
    return { kind: 'PartialObjectMetadata', apiVersion: metaVersion, metadata: object.metadata };
  };
  return {
    kind: 'Table',
    apiVersion: metaVersion,
    metadata: listMetadata,
    columnDefinitions: printer.columns,
    rows: objects.map((object) => {
      const embedded = rowObject(object);
      return { cells: printer.cells(object, request.now), ...(embedded === undefined ? {} : { object: embedded }) };
    }),
  };
}
