import { randomInt } from 'node:crypto';
import {
  dns1123LabelProblem,
  GENERATED_NAME_SUFFIX_ALPHABET,
  GENERATED_NAME_SUFFIX_LENGTH,
  labelValueProblem,
  MAX_LABELS,
  qualifiedNameProblem,
} from '@flotilla/argo-spec';
import { ErrorCode, FlotillaError } from '@flotilla/service-runtime';

function invalid(path: string, message: string): FlotillaError {
  return new FlotillaError(ErrorCode.InputInvalid, `${path} ${message}`, [{ path, message }]);
}

/** Cluster names and namespaces follow Kubernetes' DNS-1123 label rule. */
export function assertDnsLabel(path: string, value: string): void {
  const problem = dns1123LabelProblem(value);
  if (problem !== undefined) throw invalid(path, `must be a DNS-1123 label: ${problem}`);
}

/** Labels as Kubernetes takes them, at most MAX_LABELS of them. */
export function assertLabels(path: string, labels: unknown): asserts labels is Record<string, string> {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) throw invalid(path, 'must be an object of strings');
  const entries = Object.entries(labels);
  if (entries.length > MAX_LABELS) throw invalid(path, `must have at most ${MAX_LABELS} entries, not ${entries.length}`);
  for (const [key, value] of entries) {
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem !== undefined) throw invalid(`${path}.${key}`, `is not a valid label key: ${keyProblem}`);
    if (typeof value !== 'string') throw invalid(`${path}.${key}`, 'is not a valid label value: must be a string');
    const valueProblem = labelValueProblem(value);
    if (valueProblem !== undefined) throw invalid(`${path}.${key}`, `is not a valid label value: ${valueProblem}`);
  }
}

/** Five characters for a name made from a `generateName`, drawn as the Kubernetes API server draws them. */
export function randomNameSuffix(): string {
  return Array.from(
    { length: GENERATED_NAME_SUFFIX_LENGTH },
    () => GENERATED_NAME_SUFFIX_ALPHABET[randomInt(GENERATED_NAME_SUFFIX_ALPHABET.length)],
  ).join('');
}
