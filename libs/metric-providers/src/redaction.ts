import { mapStrings } from './json-strings.js';

export const REDACTED = '[redacted]';
/**
 * Shorter values (a region such as `eu`, a flag) cannot be told apart from ordinary text: replacing them would
 * corrupt measured values without protecting anything.
 */
export const MIN_REDACTED_LENGTH = 4;

/**
 * Replaces every occurrence of a secret value in every string of a value (a measurement outcome: its error, value,
 * raw value and metadata) with `[redacted]`, longest secrets first so that one containing another goes whole.
 * Values shorter than {@link MIN_REDACTED_LENGTH} are left alone.
 * @example redactSecrets({ ok: false, error: 'GET https://x/?key=s3cr3t failed' }, ['s3cr3t'])
 * // { ok: false, error: 'GET https://x/?key=[redacted] failed' }
 */
export function redactSecrets<T>(value: T, secrets: Iterable<string>): T {
  const ordered = [...new Set(secrets)]
    .filter((secret) => secret.length >= MIN_REDACTED_LENGTH)
    .sort((left, right) => right.length - left.length);
  if (ordered.length === 0) return value;
  return mapStrings(value, (text) => ordered.reduce((redacted, secret) => redacted.replaceAll(secret, REDACTED), text));
}
