import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, KubeApiError, methodNotAllowed, unsupportedMediaType } from './api-errors.js';
import type { ClusterStore, DeleteOptions } from './cluster-store.js';
import { parseFieldSelector } from './field-selector.js';
import { parseJsonBody, readBody, sendJson, sendJsonText } from './http-io.js';
import { applyJsonPatch } from './json-patch.js';
import { isJsonObject, readPath, type KubeObject, type StoredObject } from './kube-object.js';
import { formatLabelSelector, parseLabelSelector, requirementsOfLabelSelector, SelectorSyntaxError } from './label-selector.js';
import { applyMergePatch } from './merge-patch.js';
import { checkSelectableFields, type ObjectFilter } from './object-filter.js';
import { PatchError } from './patch-error.js';
import { presentedJson, presentObject } from './presented-object.js';
import type { ApiRoute } from './request-route.js';
import { groupVersion, type PropagationPolicy, type ResourceType } from './resource-catalogue.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';
import { tableOf, tableVersionAccepted } from './table.js';
import { streamWatch, type WatchStreamOptions } from './watch-stream.js';

export type ResourceRoute = Extract<ApiRoute, { kind: 'resource' }>;

export interface ResourceRequest {
  route: ResourceRoute;
  method: string;
  query: URLSearchParams;
  contentType: string;
  incoming: IncomingMessage;
  response: ServerResponse;
}

const PROPAGATION_POLICIES: readonly PropagationPolicy[] = ['Orphan', 'Background', 'Foreground'];

/** Serves one request on a resource path: list, watch, get, create, update, patch, delete, deletecollection. */
export async function handleResourceRequest(
  store: ClusterStore,
  request: ResourceRequest,
  watchOptions: WatchStreamOptions,
): Promise<void> {
  const { route, method, query, response } = request;
  if (query.has('dryRun')) throw badRequest('dryRun is not supported by this API server');
  const apiVersion = groupVersion(route.resource.group, route.version);
  const reply = (statusCode: number, object: StoredObject): void =>
    route.subresource === 'scale'
      ? sendJson(response, statusCode, scaleOf(object))
      : sendJsonText(response, statusCode, presentedJson(object, apiVersion));
  if (route.name === undefined) {
    switch (method) {
      case 'GET':
        return isWatch(query) ? serveWatch(store, route, query, response, watchOptions) : serveList(store, request);
      case 'POST':
        return reply(201, store.create(route.resource, route.namespace, await jsonBody(request)));
      case 'DELETE': {
        if (!route.resource.namespaced) throw methodNotAllowed(method);
        const deleted = store.deleteCollection(
          route.resource,
          filterOf(route, query),
          deleteOptions(query, parseJsonBody(await readBody(request.incoming))),
        );
        return sendJson(response, 200, listBody(route, deleted, store.resourceVersion));
      }
      default:
        throw methodNotAllowed(method);
    }
  }
  const name = route.name;
  switch (method) {
    case 'GET':
      if (isWatch(query)) return serveWatch(store, route, query, response, watchOptions);
      return serveObject(store, request, name, reply);
    case 'PUT': {
      const body = await jsonBody(request);
      if (route.subresource === 'scale') return reply(200, applyScale(store, route, name, body));
      return reply(200, store.update(route.resource, route.namespace, name, body, route.subresource));
    }
    case 'PATCH': {
      const patch = await jsonBody(request);
      const current = store.require(route.resource, route.namespace, name);
      if (route.subresource === 'scale')
        return reply(200, applyScale(store, route, name, patchDocument(route.resource, request.contentType, scaleOf(current), patch)));
      const patched = patchDocument(route.resource, request.contentType, presentObject(current, apiVersion), patch);
      return reply(200, store.update(route.resource, route.namespace, name, patched, route.subresource));
    }
    case 'DELETE':
      if (route.subresource !== undefined) throw methodNotAllowed(method);
      return reply(
        200,
        store.delete(route.resource, route.namespace, name, deleteOptions(query, parseJsonBody(await readBody(request.incoming)))),
      );
    default:
      throw methodNotAllowed(method);
  }
}

function isWatch(query: URLSearchParams): boolean {
  const watch = query.get('watch');
  return watch === 'true' || watch === '1';
}

async function jsonBody(request: ResourceRequest): Promise<unknown> {
  const body = parseJsonBody(await readBody(request.incoming));
  if (body === undefined) throw badRequest('the request has no body');
  return body;
}

function filterOf(route: ResourceRoute, query: URLSearchParams): ObjectFilter {
  try {
    const fields = parseFieldSelector(query.get('fieldSelector') ?? '');
    checkSelectableFields(route.resource, fields);
    if (route.name !== undefined) fields.push({ field: 'metadata.name', operator: 'Equals', value: route.name });
    return {
      ...(route.namespace === undefined ? {} : { namespace: route.namespace }),
      labels: parseLabelSelector(query.get('labelSelector') ?? ''),
      fields,
    };
  } catch (error) {
    if (error instanceof SelectorSyntaxError) throw badRequest(error.message);
    throw error;
  }
}

function integerParameter(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  if (!/^\d+$/.test(text)) throw badRequest(`invalid value for ${name}: ${JSON.stringify(text)}`);
  return Number(text);
}

function listBody(
  route: ResourceRoute,
  items: readonly StoredObject[],
  resourceVersion: string,
  page: { continueToken?: string; remainingItemCount?: number } = {},
): { metadata: Record<string, unknown>; [field: string]: unknown } {
  return {
    kind: `${route.resource.kind}List`,
    apiVersion: groupVersion(route.resource.group, route.version),
    metadata: {
      resourceVersion,
      ...(page.continueToken === undefined ? {} : { continue: page.continueToken }),
      ...(page.remainingItemCount === undefined ? {} : { remainingItemCount: page.remainingItemCount }),
    },
    // Built-in lists carry bare items; custom resources keep apiVersion and kind on each item.
    items: items.map((item) =>
      route.resource.custom ? presentObject(item, groupVersion(route.resource.group, route.version)) : withoutTypeMeta(item),
    ),
  };
}

function withoutTypeMeta(object: KubeObject): Omit<KubeObject, 'apiVersion' | 'kind'> {
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = object;
  return rest;
}

/** The Table version the request asks for (kubectl's `get`), none for a subresource. */
function tableVersionOf(request: ResourceRequest) {
  return request.route.subresource === undefined ? tableVersionAccepted(request.incoming.headers.accept) : undefined;
}

function serveList(store: ClusterStore, request: ResourceRequest): void {
  const { route, query, response } = request;
  const page = store.listPage(route.resource, filterOf(route, query), integerParameter(query, 'limit'), query.get('continue') || undefined);
  const tableVersion = tableVersionOf(request);
  if (tableVersion === undefined) return sendJson(response, 200, listBody(route, page.items, page.resourceVersion, page));
  const { metadata } = listBody(route, [], page.resourceVersion, page);
  const apiVersion = groupVersion(route.resource.group, route.version);
  sendJson(response, 200, tableOf(route.resource, apiVersion, page.items, metadata, { version: tableVersion, query, now: Date.now() }));
}

function serveObject(
  store: ClusterStore,
  request: ResourceRequest,
  name: string,
  reply: (statusCode: number, object: StoredObject) => void,
): void {
  const { route, query, response } = request;
  const object = store.require(route.resource, route.namespace, name);
  const tableVersion = tableVersionOf(request);
  if (tableVersion === undefined) return reply(200, object);
  const apiVersion = groupVersion(route.resource.group, route.version);
  const metadata = { resourceVersion: object.metadata.resourceVersion };
  sendJson(response, 200, tableOf(route.resource, apiVersion, [object], metadata, { version: tableVersion, query, now: Date.now() }));
}

function serveWatch(
  store: ClusterStore,
  route: ResourceRoute,
  query: URLSearchParams,
  response: ServerResponse,
  options: WatchStreamOptions,
): Promise<void> {
  const filter = filterOf(route, query);
  const resourceVersion = query.get('resourceVersion');
  if (resourceVersion && !/^\d+$/.test(resourceVersion)) throw badRequest(`invalid resource version: ${resourceVersion}`);
  const watchRequest = {
    resource: route.resource,
    version: route.version,
    filter,
    fromRevision: resourceVersion ? Number(resourceVersion) : undefined,
    bookmarks: query.get('allowWatchBookmarks') === 'true',
    timeoutSeconds: integerParameter(query, 'timeoutSeconds'),
  };
  return streamWatch(store, watchRequest, response, options);
}

function deleteOptions(query: URLSearchParams, body: unknown): DeleteOptions {
  const fromBody = isJsonObject(body) ? body : {};
  const orphan = fromBody['orphanDependents'] === true || query.get('orphanDependents') === 'true';
  const policy = fromBody['propagationPolicy'] ?? query.get('propagationPolicy') ?? (orphan ? 'Orphan' : undefined);
  if (policy !== undefined && !PROPAGATION_POLICIES.includes(policy as PropagationPolicy)) {
    throw badRequest(
      `propagationPolicy: Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  const preconditions = isJsonObject(fromBody['preconditions']) ? (fromBody['preconditions'] as DeleteOptions['preconditions']) : undefined;
  return {
    ...(policy === undefined ? {} : { propagationPolicy: policy as PropagationPolicy }),
    ...(preconditions ? { preconditions } : {}),
  };
}

/** Applies a patch of the given media type; strategic merge is refused on custom resources, as on a real cluster. */
function patchDocument(resource: ResourceType, contentType: string, current: object, patch: unknown): unknown {
  try {
    switch (contentType) {
      case 'application/json-patch+json':
        return applyJsonPatch(current, patch);
      case 'application/merge-patch+json':
        return applyMergePatch(current, patch);
      case 'application/strategic-merge-patch+json':
        if (resource.custom) throw unsupportedMediaType(contentType);
        return applyStrategicMergePatch(current, patch);
      default:
        throw unsupportedMediaType(contentType);
    }
  } catch (error) {
    if (!(error instanceof PatchError)) throw error;
    if (error.malformed) throw badRequest(error.message);
    throw new KubeApiError(422, 'Invalid', error.message);
  }
}

/** The `autoscaling/v1 Scale` view of a ReplicaSet. */
function scaleOf(object: StoredObject): object {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = object.metadata;
  const selector = readPath(object, ['spec', 'selector']);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: readPath(object, ['spec', 'replicas']) ?? 0 },
    status: {
      replicas: readPath(object, ['status', 'replicas']) ?? 0,
      selector: isJsonObject(selector) ? formatLabelSelector(requirementsOfLabelSelector(selector)) : '',
    },
  };
}

function applyScale(store: ClusterStore, route: ResourceRoute, name: string, scale: unknown): StoredObject {
  const replicas = readPath(scale, ['spec', 'replicas']);
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw new KubeApiError(
      422,
      'Invalid',
      `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
    );
  }
  const current = store.require(route.resource, route.namespace, name);
  const expectedVersion = readPath(scale, ['metadata', 'resourceVersion']);
  const spec = isJsonObject(current['spec']) ? current['spec'] : {};
  const next = {
    ...current,
    metadata: {
      ...current.metadata,
      ...(typeof expectedVersion === 'string' && expectedVersion !== '' ? { resourceVersion: expectedVersion } : {}),
    },
    spec: { ...spec, replicas },
  };
  return store.update(route.resource, route.namespace, name, next);
}
