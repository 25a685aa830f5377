import type { KubeClient } from '../../kube/kube-client.js';
import { isConflict } from '../../kube/kube-client.js';
import type { KubeObject } from '../../kube/kube-object.js';
import type { ObjectCache } from '../../kube/object-cache.js';
import type { Resource } from '../../kube/resources.js';
import { MissingObjectError } from '../ownership.js';

const MAX_ATTEMPTS = 5;

/** The object kept changing under the agent's writes: each attempt met a newer version. */
export class ConflictRetriesExhaustedError extends Error {
  constructor(
    readonly kind: string,
    readonly namespace: string,
    readonly objectName: string,
  ) {
    super(`${kind} ${namespace}/${objectName} changed during each of ${MAX_ATTEMPTS} attempts to update it`);
    this.name = 'ConflictRetriesExhaustedError';
  }
}

/**
 * Read, modify, write with optimistic concurrency: `changeOf` computes the fields to merge into the object as it
 * was read (undefined when it is already right); the write carries the resourceVersion it was computed from, so a
 * concurrent write makes it fail with 409 and the object is read again from the API and the change recomputed.
 * Used for lists (routes, backends, subsets) that a merge patch replaces as a whole.
 * @returns the number of writes made (0 or 1)
 */
export async function guardedUpdate(
  kube: KubeClient,
  cache: ObjectCache<KubeObject>,
  resource: Resource,
  namespace: string,
  name: string,
  changeOf: (current: KubeObject) => object | undefined,
): Promise<number> {
  let current = cache.get(namespace, name) ?? (await kube.get<KubeObject>(resource, namespace, name));
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    if (current === undefined) throw new MissingObjectError(resource.kind, namespace, name);
    const change = changeOf(current);
    if (change === undefined) return 0;
    try {
      cache.remember(
        await kube.mergePatch(resource, namespace, name, {
          ...change,
          metadata: { ...(change as { metadata?: object }).metadata, resourceVersion: current.metadata.resourceVersion },
        }),
      );
      return 1;
    } catch (error) {
      if (!isConflict(error)) throw error;
      current = await kube.get<KubeObject>(resource, namespace, name);
    }
  }
  throw new ConflictRetriesExhaustedError(resource.kind, namespace, name);
}
