/** What the simulated kubelet does with a container image. */
export type ImageBehaviour = 'run' | 'crash' | 'pull-error';

/** The tag of an image reference; `latest` when it has none. */
export function imageTag(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const lastColon = withoutDigest.lastIndexOf(':');
  return lastColon > lastSlash ? withoutDigest.slice(lastColon + 1) : 'latest';
}

/**
 * The default behaviour: tags `bad` and `fail` exit with an error, tag `missing` cannot be pulled.
 * @example defaultImageBehaviour('registry/web:bad') === 'crash'; defaultImageBehaviour('web:missing') === 'pull-error'
 */
export function defaultImageBehaviour(image: string): ImageBehaviour {
  const tag = imageTag(image);
  if (tag === 'bad' || tag === 'fail') return 'crash';
  if (tag === 'missing') return 'pull-error';
  return 'run';
}
