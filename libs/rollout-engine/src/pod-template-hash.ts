import type { PodTemplateSpec } from '@flotilla/argo-spec';

/** As a signed 32-bit integer: the hash state stays a small integer V8 need not box while it is passed around. */
const FNV_OFFSET_BASIS = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
/** Kubernetes `rand.SafeEncodeString` alphabet: no vowels, no look-alike characters. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function fnv1aUpdate(hash: number, byte: number): number {
  return Math.imul(hash ^ byte, FNV_PRIME);
}

function fnv1aString(hash: number, text: string): number {
  let state = hash;
  for (let index = 0; index < text.length; index++) {
    let codePoint = text.charCodeAt(index);
    if (codePoint < 0x80) {
      state = fnv1aUpdate(state, codePoint);
      continue;
    }
    const low = codePoint >= 0xd800 && codePoint < 0xdc00 ? text.charCodeAt(index + 1) : Number.NaN;
    if (low >= 0xdc00 && low < 0xe000) {
      codePoint = 0x10000 + ((codePoint - 0xd800) << 10) + (low - 0xdc00);
      index++;
    }
    if (codePoint < 0x800) {
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

/** Takes canonical JSON a piece at a time, so that hashing it needs no text of the whole. */
type JsonSink = (piece: string) => void;

/** Characters JSON.stringify escapes: quote, backslash, control characters and (lone) surrogates. */
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

function writeJsonString(text: string, write: JsonSink): void {
  if (NEEDS_ESCAPING.test(text)) {
    write(JSON.stringify(text));
    return;
  }
  write('"');
  write(text);
  write('"');
}

/** Whether a value renders as `{}`: an object (not an array) whose fields are all undefined or render as `{}`. */
function rendersAsEmptyObject(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const field = record[key];
    if (field !== undefined && !rendersAsEmptyObject(field)) return false;
  }
  return true;
}

/**
 * The keys of a record in code-unit order, as `Object.keys(record).sort()` gives them. An insertion sort, because on
 * the handful of keys of a template's objects `Array.prototype.sort` costs several times the walk itself.
 */
function sortedKeys(record: object): string[] {
  const keys = Object.keys(record);
  for (let sorted = 1; sorted < keys.length; sorted++) {
    const key = keys[sorted] as string;
    let index = sorted - 1;
    for (; index >= 0 && (keys[index] as string) > key; index--) keys[index + 1] = keys[index] as string;
    keys[index + 1] = key;
  }
  return keys;
}

function writeCanonicalJson(value: unknown, write: JsonSink): void {
  if (value === undefined) write('null');
  else if (typeof value === 'string') writeJsonString(value, write);
  else if (value === null || typeof value !== 'object') write(JSON.stringify(value));
  else if (Array.isArray(value)) {
    write('[');
    for (let index = 0; index < value.length; index++) {
      if (index > 0) write(',');
      writeCanonicalJson(value[index], write);
    }
    write(']');
  } else {
    const record = value as Record<string, unknown>;
    let separator = '{';
    for (const key of sortedKeys(record)) {
      const field = record[key];
      if (field === undefined || rendersAsEmptyObject(field)) continue;
      write(separator);
      writeJsonString(key, write);
      write(':');
      writeCanonicalJson(field, write);
      separator = ',';
    }
    write(separator === '{' ? '{}' : '}');
  }
}

/**
 * JSON with object keys sorted and undefined or empty-object fields left out, so neither key order nor an empty
 * `annotations: {}` changes a hash.
 */
export function canonicalJson(value: unknown): string {
  let text = '';
  writeCanonicalJson(value, (piece) => {
    text += piece;
  });
  return text;
}

/** FNV-32a of the canonical JSON of a value, hashed as it is written rather than from the whole text. */
function canonicalFnv32a(value: unknown): number {
  let hash = FNV_OFFSET_BASIS;
  writeCanonicalJson(value, (piece) => {
    hash = fnv1aString(hash, piece);
  });
  return hash >>> 0;
}

/** FNV-32a of a text, as an unsigned 32-bit integer. @example fnv32a('') === 0x811c9dc5 */
export function fnv32a(text: string): number {
  return fnv1aString(FNV_OFFSET_BASIS, text) >>> 0;
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
  let hash = canonicalFnv32a(template);
  if (collisionCount !== undefined) {
    const count = collisionCount >>> 0;
    for (let shift = 0; shift < 32; shift += 8) hash = fnv1aUpdate(hash, (count >>> shift) & 0xff);
    for (let padding = 0; padding < 4; padding++) hash = fnv1aUpdate(hash, 0);
  }
  return safeEncodeString(String(hash >>> 0));
}

/** Short hash of any JSON value, used for the steps hash and deterministic names. */
export function hashOf(value: unknown): string {
  return safeEncodeString(String(canonicalFnv32a(value)));
}
