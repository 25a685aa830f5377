import { checkPodTemplate, dns1123LabelProblem, imageReferenceProblem, selectorMatches } from '@flotilla/argo-spec';
import type { FleetChange } from '@flotilla/fleet-engine';
import { ErrorCode, FlotillaError, type FieldProblem } from '@flotilla/service-runtime';
import type { FleetMemberRow } from '@flotilla/stores';

/** What `releaseFleet` is asked to change: exactly one of an image (with its container) or a whole pod template. */
export interface ReleaseChangeArguments {
  image: string | null;
  container: string | null;
  template: unknown;
}

function invalid(problems: FieldProblem[]): FlotillaError {
  const described = problems.map((problem) => `${problem.path} ${problem.message}`).join('; ');
  return new FlotillaError(ErrorCode.InputInvalid, described, problems);
}

function imageProblems(image: string, container: string | null): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const imageProblem = imageReferenceProblem(image);
  if (imageProblem !== undefined) problems.push({ path: 'image', message: imageProblem });
  if (container === null) problems.push({ path: 'container', message: 'is required with image: the container whose image changes' });
  else {
    const containerProblem = dns1123LabelProblem(container);
    if (containerProblem !== undefined) problems.push({ path: 'container', message: `is not a container name: ${containerProblem}` });
  }
  return problems;
}

/**
 * The change a release makes, from `releaseFleet`'s arguments: refused with every problem at once, each at the
 * argument's path (`image`, `container`, `template.…`).
 *
 * @example releaseChangeOf({ image: 'shop/checkout:2', container: 'checkout', template: null })
 *   // { type: 'image', container: 'checkout', image: 'shop/checkout:2' }
 * @example releaseChangeOf({ image: null, container: 'checkout', template: null })
 *   // throws input/invalid at `image`: give either image (with container) or template
 */
export function releaseChangeOf({ image, container, template }: ReleaseChangeArguments): FleetChange {
  const hasTemplate = template !== null && template !== undefined;
  if (image === null && !hasTemplate) {
    throw invalid([{ path: 'image', message: 'or template is required: give either image (with container) or template' }]);
  }
  if (image !== null && hasTemplate) {
    throw invalid([{ path: 'template', message: 'cannot be given with image: give either image (with container) or template' }]);
  }
  if (image !== null) {
    const problems = imageProblems(image, container);
    if (problems.length > 0 || container === null) throw invalid(problems);
    return { type: 'image', container, image };
  }
  const problems: FieldProblem[] =
    container === null ? [] : [{ path: 'container', message: 'goes with image only: a template replaces every container' }];
  const checked = checkPodTemplate(template, 'template');
  if (!checked.ok) problems.push(...checked.issues);
  if (problems.length > 0 || !checked.ok) throw invalid(problems);
  return { type: 'template', template: checked.template };
}

const clusterList = (clusters: readonly string[]): string => `${clusters.length === 1 ? 'cluster' : 'clusters'} ${clusters.join(', ')}`;

/**
 * Refuses a change that cannot apply to every member Rollout present now: an image of a container one of them does
 * not have, or a template one of them would not select.
 */
export function assertChangeFitsMembers(change: FleetChange, members: Readonly<Record<string, FleetMemberRow>>, rolloutName: string): void {
  const present = Object.entries(members).flatMap(([cluster, { rollout }]) => (rollout ? [{ cluster, spec: rollout.spec }] : []));
  if (change.type === 'image') {
    const lacking = present.filter(({ spec }) =>
      [...spec.template.spec.containers, ...(spec.template.spec.initContainers ?? [])].every(
        (candidate) => candidate.name !== change.container,
      ),
    );
    if (lacking.length > 0) {
      const message = `names no container of the Rollout ${rolloutName} in ${clusterList(lacking.map(({ cluster }) => cluster))}`;
      throw new FlotillaError(ErrorCode.InputInvalid, `container ${message}`, [{ path: 'container', message }]);
    }
    return;
  }
  const labels = change.template.metadata?.labels ?? {};
  const unselected = present.filter(({ spec }) => !selectorMatches(spec.selector, labels));
  if (unselected.length > 0) {
    const message = `must be selected by the selector of the Rollout ${rolloutName}, and is not in ${clusterList(unselected.map(({ cluster }) => cluster))}`;
    throw new FlotillaError(ErrorCode.InputInvalid, `template.metadata.labels ${message}`, [{ path: 'template.metadata.labels', message }]);
  }
}
