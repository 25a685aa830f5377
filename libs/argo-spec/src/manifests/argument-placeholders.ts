const ARGUMENT_PLACEHOLDER = /\{\{\s*args\.([^{}\s]+)\s*\}\}/g;
const WHOLE_ARGUMENT_PLACEHOLDER = /^\{\{\s*args\.[^{}\s]+\s*\}\}$/;

/** `argumentPlaceholders('rate{{args.service}}[{{args.window}}]')` is `['service', 'window']`. */
export function argumentPlaceholders(text: string): string[] {
  return [...text.matchAll(ARGUMENT_PLACEHOLDER)].map((match) => match[1] as string);
}

/** A value that is only a `{{args.NAME}}` placeholder, resolved when a run is created. */
export function isArgumentPlaceholder(text: string): boolean {
  return WHOLE_ARGUMENT_PLACEHOLDER.test(text);
}
