import type { z } from 'zod';

/** One problem in a service's settings, at a path such as `service.webhook.github.headers[0].name`. */
export interface SettingsIssue {
  path: string;
  message: string;
}

/** The settings of `service.<type>[.<name>]` that cannot make a service, each problem with its field path. */
export class ServiceSettingsError extends Error {
  constructor(readonly issues: SettingsIssue[]) {
    super(issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '));
    this.name = 'ServiceSettingsError';
  }
}

function pathOf(key: string, segments: readonly PropertyKey[]): string {
  return segments.reduce<string>(
    (path, segment) => (typeof segment === 'number' ? `${path}[${segment}]` : `${path}.${String(segment)}`),
    key,
  );
}

/** The issues of a failed parse, with paths under the ConfigMap key (`service.slack`). */
export function settingsIssues(key: string, error: z.ZodError): SettingsIssue[] {
  return error.issues.map((issue) => ({ path: pathOf(key, issue.path), message: issue.message }));
}
