import type { StoredObject } from './kube-object.js';
import type { ResourceType } from './resource-catalogue.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One committed write, as etcd would record it. */
export interface StoreChange {
  type: ChangeType;
  resource: ResourceType;
  /** The new state; for DELETED the last state, carrying the deletion's resourceVersion. */
  object: StoredObject;
  /** The state before a MODIFIED or DELETED. */
  previous?: StoredObject;
  revision: number;
}

/**
 * The last `limit` changes of a cluster, so that watches can resume from a resourceVersion.
 * Older changes are compacted away; resuming from before them is answered with 410 Expired.
 */
export class ChangeHistory {
  private changes: StoreChange[] = [];
  private offset = 0;
  private compacted = 0;

  constructor(private readonly limit: number) {}

  /** The newest revision no longer kept: resuming from an older one is impossible. */
  get compactedRevision(): number {
    return this.compacted;
  }

  record(change: StoreChange): void {
    this.changes.push(change);
    if (this.changes.length - this.offset > this.limit) {
      this.compacted = (this.changes[this.offset] as StoreChange).revision;
      this.offset += 1;
      if (this.offset >= this.limit) {
        this.changes = this.changes.slice(this.offset);
        this.offset = 0;
      }
    }
  }

  /** Changes with a revision greater than `revision`, oldest first. */
  since(revision: number): StoreChange[] {
    let low = this.offset;
    let high = this.changes.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.changes[middle] as StoreChange).revision <= revision) low = middle + 1;
      else high = middle;
    }
    return this.changes.slice(low);
  }
}
