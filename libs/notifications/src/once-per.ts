export interface OncePerPath {
  root: string;
  path: Array<string | number>;
}

const SEGMENT = /^(?:\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\[['"]([^'"]*)['"]\])/;

/**
 * Reads an `oncePer` field path over the condition variables: `rollout.status.currentPodHash`,
 * `rollout.metadata.annotations['example.com/version']`, `analysisRuns[0].metadata.name`.
 */
export function parseOncePer(text: string, roots: readonly string[]): OncePerPath | string {
  const root = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text)?.[0];
  if (root === undefined || !roots.includes(root)) return `must be a field path starting with ${roots.join(', ')}`;
  const path: Array<string | number> = [];
  let rest = text.slice(root.length);
  while (rest !== '') {
    const segment = SEGMENT.exec(rest);
    if (!segment) return `cannot read ${JSON.stringify(rest)}: use .field, [index] or ['key']`;
    path.push(segment[2] !== undefined ? Number(segment[2]) : (segment[1] ?? segment[3] ?? ''));
    rest = rest.slice(segment[0].length);
  }
  return { root, path };
}

/** The value an `oncePer` path reads, as text (`""` when it reads nothing), as Argo compares it. */
export function readOncePer(oncePer: OncePerPath, variables: Readonly<Record<string, unknown>>): string {
  let current: unknown = Object.hasOwn(variables, oncePer.root) ? variables[oncePer.root] : undefined;
  for (const key of oncePer.path) {
    if (typeof key === 'number') current = Array.isArray(current) ? (current[key] as unknown) : undefined;
    else
      current =
        typeof current === 'object' && current !== null && !Array.isArray(current) && Object.hasOwn(current, key)
          ? (current as Record<string, unknown>)[key]
          : undefined;
  }
  if (current === undefined || current === null) return '';
  return typeof current === 'string' ? current : JSON.stringify(current);
}
