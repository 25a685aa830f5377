import type { z } from 'zod';

/** One problem in a service's settings, at a path such as `data[service.webhook.github].headers[0].name`. */
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

const PLAIN_FIELD = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Field paths as `@flotilla/notifications` writes those of the ConfigMap: `.field`, `[index]`, `[other.name]`. */
function pathOf(key: string, segments: readonly PropertyKey[]): string {
  return segments.reduce<string>((path, segment) => {
    const name = String(segment);
    return typeof segment !== 'number' && PLAIN_FIELD.test(name) ? `${path}.${name}` : `${path}[${name}]`;
  }, key);
}

/** The issues of a failed parse, with paths under the ConfigMap entry (`data[service.slack]`). */
export function settingsIssues(key: string, error: z.ZodError): SettingsIssue[] {
  return error.issues.map((issue) => ({ path: pathOf(key, issue.path), message: issue.message }));
}
