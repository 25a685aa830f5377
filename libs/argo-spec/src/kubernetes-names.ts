/**
 * Kubernetes' rules for names, label keys and label values (k8s.io/apimachinery `pkg/util/validation`),
 * each answering why a text breaks the rule, or `undefined` when it keeps it.
 */

export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
export const LABEL_VALUE_MAX_LENGTH = 63;
const QUALIFIED_NAME_MAX_LENGTH = 63;
/** Kubernetes' `TotalAnnotationSizeLimitB`: keys and values of one object's annotations together. */
export const ANNOTATIONS_MAX_TOTAL_BYTES = 256 * 1024;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const QUOTED_MAX_LENGTH = 64;

/** `quoted('web') === '"web"'`; a long text is cut, so that a message stays short whatever it quotes. */
export function quoted(text: string): string {
  return JSON.stringify(text.length > QUOTED_MAX_LENGTH ? `${text.slice(0, QUOTED_MAX_LENGTH)}…` : text);
}

function tooLong(text: string, max: number): string | undefined {
  return text.length > max ? `must be at most ${max} characters, not ${text.length}` : undefined;
}

/**
 * A DNS-1123 label, as namespaces and Service names are.
 * @example dns1123LabelProblem('shop') === undefined; dns1123LabelProblem('Shop') // => 'must be … lowercase …'
 */
export function dns1123LabelProblem(text: string): string | undefined {
  return (
    tooLong(text, DNS1123_LABEL_MAX_LENGTH) ??
    (DNS1123_LABEL.test(text)
      ? undefined
      : `${quoted(text)} must be lowercase letters, digits and "-", starting and ending with a letter or digit`)
  );
}

/**
 * A DNS-1123 subdomain, as most object names are.
 * @example dns1123SubdomainProblem('checkout-api.v2') === undefined; dns1123SubdomainProblem('Checkout_API') // => '… lowercase …'
 */
export function dns1123SubdomainProblem(text: string): string | undefined {
  return (
    tooLong(text, DNS1123_SUBDOMAIN_MAX_LENGTH) ??
    (DNS1123_SUBDOMAIN.test(text)
      ? undefined
      : `${quoted(text)} must be lowercase letters, digits, "-" and ".", starting and ending with a letter or digit`)
  );
}

/** Kubernetes keeps at most this much of a `generateName`, so that the name it makes fits a label value. */
const GENERATED_NAME_PREFIX_MAX_LENGTH = 58;
/** How many random characters Kubernetes appends to a `generateName`. */
export const GENERATED_NAME_SUFFIX_LENGTH = 5;
/** The characters Kubernetes draws that suffix from: no vowels, no digits that read as letters. */
export const GENERATED_NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * A name made from a `generateName` and a random suffix, as the Kubernetes API server makes it.
 * @example generatedName('smoke-', 'x7k2q') === 'smoke-x7k2q'
 */
export function generatedName(prefix: string, suffix: string): string {
  return prefix.slice(0, GENERATED_NAME_PREFIX_MAX_LENGTH) + suffix;
}

/**
 * A `generateName`, checked as Kubernetes checks one: a DNS-1123 subdomain once its trailing "-" is masked.
 * @example generateNameProblem('smoke-') === undefined; generateNameProblem('Smoke-') // => '… lowercase …'
 */
export function generateNameProblem(prefix: string): string | undefined {
  const masked = prefix.length > 1 && prefix.endsWith('-') ? `${prefix.slice(0, -2)}a` : prefix;
  return dns1123SubdomainProblem(masked) === undefined
    ? undefined
    : `${quoted(prefix)} must be lowercase letters, digits, "-" and ".", starting with a letter or digit`;
}

/** `isDns1123Subdomain('checkout-api.v2') === true`; `isDns1123Subdomain('Checkout_API') === false`. */
export function isDns1123Subdomain(text: string): boolean {
  return dns1123SubdomainProblem(text) === undefined;
}

/**
 * A label or annotation key: a qualified name of at most 63 characters, optionally after a DNS-1123 subdomain prefix and "/".
 * @example qualifiedNameProblem('app.kubernetes.io/name') === undefined; qualifiedNameProblem('a/b/c') // => '… at most one "/" …'
 */
export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return `${quoted(key)} must be a name with at most one "/", after an optional DNS subdomain prefix`;
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined) {
    if (prefix === '') return `${quoted(key)} has an empty prefix before "/"`;
    const prefixProblem = dns1123SubdomainProblem(prefix);
    if (prefixProblem !== undefined) return `has a prefix that ${prefixProblem.replace(/^"[^"]*" /, '')}`;
  }
  if (name === undefined || name === '') return `${quoted(key)} must have a name after its prefix`;
  return (
    tooLong(name, QUALIFIED_NAME_MAX_LENGTH) ??
    (QUALIFIED_NAME.test(name)
      ? undefined
      : `${quoted(key)} must be letters, digits, "-", "_" and ".", starting and ending with a letter or digit`)
  );
}

/**
 * A label value: empty, or at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit.
 * @example labelValueProblem('v1.2') === undefined; labelValueProblem('-x') // => '… starting and ending …'
 */
export function labelValueProblem(value: string): string | undefined {
  return (
    tooLong(value, LABEL_VALUE_MAX_LENGTH) ??
    (LABEL_VALUE.test(value)
      ? undefined
      : `${quoted(value)} must be empty or letters, digits, "-", "_" and ".", starting and ending with a letter or digit`)
  );
}
