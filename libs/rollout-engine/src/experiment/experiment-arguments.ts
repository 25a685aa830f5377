import type { AnalysisRunArgument, ExperimentSpec } from '@flotilla/argo-spec';
import { experimentReplicaSetName, experimentTemplateHash } from './experiment-templates.js';

/** Go's RFC 3339 layout, whole seconds, as upstream formats experiment times. */
const rfc3339 = (time: number): string => new Date(Math.floor(time / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/**
 * What an experiment's analysis arguments may refer to, as upstream offers it: `{{templates.<name>.podTemplateHash}}`,
 * `{{templates.<name>.replicaset.name}}`, and once the templates are available `{{experiment.availableAt}}` and, with a
 * duration, `{{experiment.finishedAt}}`.
 */
function experimentValues(
  experiment: string,
  spec: ExperimentSpec,
  availableAt: string | undefined,
  durationMs: number | undefined,
): Map<string, string> {
  const values = new Map<string, string>();
  if (availableAt !== undefined) {
    values.set('experiment.availableAt', rfc3339(Date.parse(availableAt)));
    if (durationMs !== undefined) values.set('experiment.finishedAt', rfc3339(Date.parse(availableAt) + durationMs));
  }
  for (const template of spec.templates) {
    values.set(`templates.${template.name}.podTemplateHash`, experimentTemplateHash(experiment, template));
    values.set(`templates.${template.name}.replicaset.name`, experimentReplicaSetName(experiment, template.name));
  }
  return values;
}

/**
 * The arguments with the experiment's values put in; a reference to anything else is left as written.
 * @example [{ name: 'hash', value: '{{templates.canary.podTemplateHash}}' }] → [{ name: 'hash', value: '6f7d8c9b5' }]
 */
export function resolvedExperimentArguments(
  args: readonly AnalysisRunArgument[],
  experiment: string,
  spec: ExperimentSpec,
  availableAt: string | undefined,
  durationMs: number | undefined,
): AnalysisRunArgument[] {
  const values = experimentValues(experiment, spec, availableAt, durationMs);
  return args.map((argument) =>
    argument.value === undefined
      ? argument
      : {
          ...argument,
          value: argument.value.replace(/\{\{\s*([^{}]+?)\s*\}\}/g, (reference: string, key: string) => values.get(key) ?? reference),
        },
  );
}
