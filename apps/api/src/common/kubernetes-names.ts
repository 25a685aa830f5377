import { ErrorCode, FlotillaError } from './errors.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

function invalid(path: string, message: string): FlotillaError {
  return new FlotillaError(ErrorCode.InputInvalid, `${path} ${message}`, [{ path, message }]);
}

/** Cluster names and namespaces follow Kubernetes' DNS-1123 label rule. */
export function assertDnsLabel(path: string, value: string): void {
  if (value.length > 63 || !DNS_LABEL.test(value)) {
    throw invalid(path, 'must be a DNS-1123 label: lower-case letters, digits and "-", at most 63 characters');
  }
}

export function assertLabels(path: string, labels: unknown): asserts labels is Record<string, string> {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) throw invalid(path, 'must be an object of strings');
  for (const [key, value] of Object.entries(labels)) {
    if (!LABEL_KEY.test(key)) throw invalid(`${path}.${key}`, 'is not a valid label key');
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) throw invalid(`${path}.${key}`, 'is not a valid label value');
  }
}
