import type { PodTemplateSpec } from '@flotilla/argo-spec';

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Kubernetes `rand.SafeEncodeString` alphabet: no vowels, no look-alike characters. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function fnv1aUpdate(hash: number, byte: number): number {
  return Math.imul(hash ^ byte, FNV_PRIME) >>> 0;
}

function fnv1aString(hash: number, text: string): number {
  let state = hash;
  for (const character of text) {
    const codePoint = character.codePointAt(0) as number;
    if (codePoint < 0x80) {
      state = fnv1aUpdate(state, codePoint);
    } else if (codePoint < 0x800) {
      state = fnv1aUpdate(state, 0xc0 | (codePoint >> 6));
      state = fnv1aUpdate(state, 0x80 | (codePoint & 0x3f));
    } else if (codePoint < 0x10000) {
      state = fnv1aUpdate(state, 0xe0 | (codePoint >> 12));
      state = fnv1aUpdate(state, 0x80 | ((codePoint >> 6) & 0x3f));
      state = fnv1aUpdate(state, 0x80 | (codePoint & 0x3f));
    } else {
      state = fnv1aUpdate(state, 0xf0 | (codePoint >> 18));
      state = fnv1aUpdate(state, 0x80 | ((codePoint >> 12) & 0x3f));
      state = fnv1aUpdate(state, 0x80 | ((codePoint >> 6) & 0x3f));
      state = fnv1aUpdate(state, 0x80 | (codePoint & 0x3f));
    }
  }
  return state;
}

/**
 * JSON with object keys sorted and undefined or empty-object fields left out, so neither key order nor an empty
 * `annotations: {}` changes a hash.
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const fields: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const field = record[key];
    if (field === undefined) continue;
    const rendered = canonicalJson(field);
    if (rendered !== '{}') fields.push(`${JSON.stringify(key)}:${rendered}`);
  }
  return `{${fields.join(',')}}`;
}

/** FNV-32a of a text, as an unsigned 32-bit integer. @example fnv32a('') === 0x811c9dc5 */
export function fnv32a(text: string): number {
  return fnv1aString(FNV_OFFSET_BASIS, text);
}

/** Kubernetes `rand.SafeEncodeString`: maps every character to a label-safe consonant or digit. @example safeEncodeString('0') === 'b' */
export function safeEncodeString(text: string): string {
  let encoded = '';
  for (let index = 0; index < text.length; index++) {
    encoded += SAFE_ALPHABET[text.charCodeAt(index) % SAFE_ALPHABET.length];
  }
  return encoded;
}

/**
 * The `rollouts-pod-template-hash` of a pod template: FNV-32a over the template (canonical JSON) followed by the
 * collision count as 8 little-endian bytes, rendered in decimal and passed through `SafeEncodeString`, as upstream.
 * The bytes hashed differ from upstream (Go's struct dump), so the values differ from Argo's; see DIFFERENCES.md.
 * @example podTemplateHash({ spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } }) // → a stable label value such as '7b6d8f9c4'
 */
export function podTemplateHash(template: PodTemplateSpec, collisionCount?: number): string {
  let hash = fnv32a(canonicalJson(template));
  if (collisionCount !== undefined) {
    const count = collisionCount >>> 0;
    for (let shift = 0; shift < 32; shift += 8) hash = fnv1aUpdate(hash, (count >>> shift) & 0xff);
    for (let padding = 0; padding < 4; padding++) hash = fnv1aUpdate(hash, 0);
  }
  return safeEncodeString(String(hash));
}

/** Short hash of any JSON value, used for the steps hash and deterministic names. */
export function hashOf(value: unknown): string {
  return safeEncodeString(String(fnv32a(canonicalJson(value))));
}
