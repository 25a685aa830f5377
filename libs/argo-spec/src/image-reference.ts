/**
 * The container image reference grammar of distribution/reference (`regexp.go` and `reference.go`,
 * github.com/distribution/reference), which container runtimes use to pull images:
 *
 *   reference       := name [ ":" tag ] [ "@" digest ]
 *   name            := [ domain "/" ] path-component [ "/" path-component ]*
 *   domain          := host [ ":" port-number ]
 *   host            := domain-name | "[" IPv6 address "]"
 *   domain-name     := domain-component [ "." domain-component ]*
 *   domain-component:= /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
 *   path-component  := alpha-numeric [ separator alpha-numeric ]*
 *   alpha-numeric   := /[a-z0-9]+/
 *   separator       := /[_.]|__|[-]+/
 *   tag             := /[\w][\w.-]{0,127}/
 *   digest          := algorithm ":" hex, the hex as long as the algorithm's output
 *
 * The path (the name without its domain) is at most 255 characters, as upstream's `RepositoryNameTotalLengthMax`.
 * Upstream accepts only digest algorithms registered with go-digest; sha256, sha384 and sha512 are accepted here.
 */

const MAX_PATH_LENGTH = 255;
const MAX_TAG_LENGTH = 128;

const DIGEST_HEX_LENGTHS: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

// Longest reference the grammar allows in practice: a domain of 253, a path, a tag and the longest digest.
// Checked before any expression runs, so a huge input costs nothing.
export const MAX_IMAGE_REFERENCE_LENGTH = 253 + 6 + 1 + MAX_PATH_LENGTH + 1 + MAX_TAG_LENGTH + 1 + 'sha512:'.length + 128;

const ALPHA_NUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|-+)';
const PATH_COMPONENT = `${ALPHA_NUMERIC}(?:${SEPARATOR}${ALPHA_NUMERIC})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6_ADDRESS = '\\[[a-fA-F0-9:]+\\]';
const DOMAIN_AND_PORT = `(?:${DOMAIN_NAME}|${IPV6_ADDRESS})(?::[0-9]+)?`;
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';

const REFERENCE = new RegExp(`^((?:${DOMAIN_AND_PORT}/)?${REMOTE_NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_NAME = new RegExp(`^(?:(${DOMAIN_AND_PORT})/)?(${REMOTE_NAME})$`);

export interface ImageReference {
  /** Registry host and port, when the name has one, such as `registry.example.com:5000`. */
  domain?: string;
  /** Repository path, such as `library/nginx`. */
  path: string;
  tag?: string;
  digest?: string;
}

export type ImageReferenceResult = { ok: true; reference: ImageReference } | { ok: false; reason: string };

function checkDigest(digest: string): string | undefined {
  const [algorithm = '', hex = ''] = digest.split(':');
  const expectedLength = DIGEST_HEX_LENGTHS[algorithm];
  if (expectedLength === undefined) return `digest algorithm "${algorithm}" is not supported; use sha256, sha384 or sha512`;
  if (hex.length !== expectedLength || !/^[a-f0-9]+$/.test(hex))
    return `a ${algorithm} digest is ${expectedLength} lowercase hexadecimal digits`;
  return undefined;
}

/**
 * Parses an image reference as a container runtime would, or says why it cannot be pulled.
 * @example parseImageReference('registry.example.com:5000/shop/checkout:1.4@sha256:' + 'f'.repeat(64))
 *   // => { ok: true, reference: { domain: 'registry.example.com:5000', path: 'shop/checkout', tag: '1.4', digest: 'sha256:fff…' } }
 * @example parseImageReference('nginx latest') // => { ok: false, reason: 'is not an image reference such as …' }
 */
export function parseImageReference(text: string): ImageReferenceResult {
  if (text === '') return { ok: false, reason: 'must not be empty' };
  if (text.length > MAX_IMAGE_REFERENCE_LENGTH)
    return { ok: false, reason: `must be at most ${MAX_IMAGE_REFERENCE_LENGTH} characters, not ${text.length}` };
  const match = REFERENCE.exec(text);
  if (match === null) {
    const lowerCaseMatches = text.toLowerCase() !== text && REFERENCE.test(text.toLowerCase());
    if (lowerCaseMatches) return { ok: false, reason: 'must have a lowercase repository name' };
    return { ok: false, reason: 'is not an image reference such as "registry.example.com/team/app:1.2" or "app@sha256:<64 hex digits>"' };
  }
  const [, name = '', tag, digest] = match;
  const nameMatch = ANCHORED_NAME.exec(name);
  const domain = nameMatch?.[1];
  const path = nameMatch?.[2] ?? name;
  if (path.length > MAX_PATH_LENGTH)
    return { ok: false, reason: `has a repository name of ${path.length} characters; at most ${MAX_PATH_LENGTH} are allowed` };
  if (digest !== undefined) {
    const digestProblem = checkDigest(digest);
    if (digestProblem !== undefined) return { ok: false, reason: digestProblem };
  }
  return {
    ok: true,
    reference: {
      ...(domain !== undefined && { domain }),
      path,
      ...(tag !== undefined && { tag }),
      ...(digest !== undefined && { digest }),
    },
  };
}

/** Why an image cannot be pulled, or `undefined` when it is a valid reference. */
export function imageReferenceProblem(text: string): string | undefined {
  const result = parseImageReference(text);
  return result.ok ? undefined : result.reason;
}
