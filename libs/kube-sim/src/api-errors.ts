import { qualifiedResource, type ResourceType } from './resource-catalogue.js';

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'Expired'
  | 'MethodNotAllowed'
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'UnsupportedMediaType'
  | 'InternalError';

export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
}

/** The `meta/v1 Status` body the API server answers failures with. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** A request the API server refuses; carries the Status body sent to the client. */
export class KubeApiError extends Error {
  readonly status: StatusBody;

  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'KubeApiError';
    this.status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      ...(details ? { details } : {}),
      code,
    };
  }

  get code(): number {
    return this.status.code;
  }
}

function resourceDetails(type: ResourceType, name: string): StatusDetails {
  return { name, ...(type.group === '' ? {} : { group: type.group }), kind: type.plural };
}

export function notFound(type: ResourceType, name: string): KubeApiError {
  return new KubeApiError(404, 'NotFound', `${qualifiedResource(type)} "${name}" not found`, resourceDetails(type, name));
}

export function alreadyExists(type: ResourceType, name: string): KubeApiError {
  return new KubeApiError(409, 'AlreadyExists', `${qualifiedResource(type)} "${name}" already exists`, resourceDetails(type, name));
}

export function conflict(type: ResourceType, name: string): KubeApiError {
  return new KubeApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    resourceDetails(type, name),
  );
}

export function invalid(type: ResourceType, name: string, causes: StatusCause[]): KubeApiError {
  const summary = causes.map((cause) => `${cause.field}: ${cause.message}`).join(', ');
  const listed = causes.length > 1 ? `[${summary}]` : summary;
  return new KubeApiError(422, 'Invalid', `${type.kind} "${name}" is invalid: ${listed}`, {
    name,
    ...(type.group === '' ? {} : { group: type.group }),
    kind: type.kind,
    causes,
  });
}

export function badRequest(message: string): KubeApiError {
  return new KubeApiError(400, 'BadRequest', message);
}

export function expired(message: string): KubeApiError {
  return new KubeApiError(410, 'Expired', message);
}

export function methodNotAllowed(method: string): KubeApiError {
  return new KubeApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`);
}

export function unauthorized(): KubeApiError {
  return new KubeApiError(401, 'Unauthorized', 'Unauthorized');
}

/** A create refused because a ResourceQuota of the namespace is used up, worded as the quota admission plugin words it. */
export function quotaExceeded(type: ResourceType, name: string, quota: string, used: number, limit: number): KubeApiError {
  const message = `${type.plural} "${name}" is forbidden: exceeded quota: ${quota}, requested: ${type.plural}=1, used: ${type.plural}=${used}, limited: ${type.plural}=${limit}`;
  return new KubeApiError(403, 'Forbidden', message, { name, kind: type.plural });
}

export function pathNotFound(path: string): KubeApiError {
  return new KubeApiError(404, 'NotFound', `the server could not find the requested resource (${path})`);
}

export function unsupportedMediaType(contentType: string): KubeApiError {
  return new KubeApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${contentType})`,
  );
}

export function internalError(message: string): KubeApiError {
  return new KubeApiError(500, 'InternalError', `Internal error occurred: ${message}`);
}
