import { badRequest } from './api-errors.js';
import { matchesFields, type FieldRequirement } from './field-selector.js';
import type { KubeObject } from './kube-object.js';
import { matchesLabels, type LabelRequirement } from './label-selector.js';
import type { ResourceType } from './resource-catalogue.js';

/** Which objects of one resource a list or watch wants. */
export interface ObjectFilter {
  /** Absent: every namespace. */
  namespace?: string;
  labels?: readonly LabelRequirement[];
  fields?: readonly FieldRequirement[];
}

function readField(resource: ResourceType, object: KubeObject, field: string): string {
  if (field === 'metadata.name') return object.metadata.name ?? '';
  if (field === 'metadata.namespace') return object.metadata.namespace ?? '';
  return resource.extraFields[field]?.(object) ?? '';
}

/** Refuses field selectors on fields the resource does not index, as the API server does (400). */
export function checkSelectableFields(resource: ResourceType, fields: readonly FieldRequirement[]): void {
  for (const { field } of fields) {
    if (field !== 'metadata.name' && field !== 'metadata.namespace' && resource.extraFields[field] === undefined) {
      throw badRequest(`field label not supported: ${field}`);
    }
  }
}

export function matchesFilter(resource: ResourceType, object: KubeObject, filter: ObjectFilter): boolean {
  if (filter.namespace !== undefined && resource.namespaced && object.metadata.namespace !== filter.namespace) return false;
  if (filter.labels && !matchesLabels(filter.labels, object.metadata.labels)) return false;
  return !filter.fields || matchesFields(filter.fields, (field) => readField(resource, object, field));
}
