/** One reason a notification ConfigMap or Secret is refused. */
export interface ConfigurationIssue {
  /** Field path such as `data[template.rollout-completed].slack.attachments`. */
  path: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; issues: ConfigurationIssue[] };

const PLAIN_FIELD = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `fieldPath('data[service.slack]', 'token') === 'data[service.slack].token'`; other names are bracketed. */
export function fieldPath(parent: string, field: string | number): string {
  if (typeof field === 'number') return `${parent}[${field}]`;
  return PLAIN_FIELD.test(field) ? `${parent}.${field}` : `${parent}[${field}]`;
}
