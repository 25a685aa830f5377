/** One reason a set of manifests is refused. */
export interface ManifestIssue {
  /** 0-based index among the non-empty documents of the YAML text. */
  documentIndex: number;
  /** Field path such as `spec.strategy.canary.steps[2].setWeight`; `""` for the document itself. */
  path: string;
  message: string;
}

/** A problem found inside one document, before it is placed among the others. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Collects the issues of one document in the order they are found. */
export class IssueList {
  readonly items: FieldIssue[] = [];

  add(path: string, message: string): void {
    this.items.push({ path, message });
  }

  get isEmpty(): boolean {
    return this.items.length === 0;
  }
}

const PLAIN_FIELD = /^[^.[\]]+$/;

/**
 * `childPath('spec', 'replicas') === 'spec.replicas'`; `childPath('', 'spec') === 'spec'`;
 * a field a dot path cannot show is quoted: `childPath('spec', '') === 'spec[""]'`.
 */
export function childPath(parent: string, field: string): string {
  if (!PLAIN_FIELD.test(field)) return `${parent}[${JSON.stringify(field)}]`;
  return parent === '' ? field : `${parent}.${field}`;
}

/** `indexPath('spec.steps', 2) === 'spec.steps[2]'`. */
export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

/** Map keys may hold dots and slashes, so they are bracketed: `keyPath('spec.selector.matchLabels', 'app') === 'spec.selector.matchLabels[app]'`. */
export function keyPath(parent: string, key: string): string {
  return `${parent}[${key}]`;
}
