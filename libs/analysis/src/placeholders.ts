/**
 * Argument placeholders as Argo writes them: `{{args.name}}`, spaces inside the braces allowed
 * (`{{ args.service-name }}`). Every `{{…}}` tag must name an argument; anything else is refused.
 */
const TEMPLATE_TAG = /\{\{(.*?)\}\}/gs;
const ARGUMENT_TAG = /^args\.([A-Za-z0-9_.-]+)$/;

export interface PlaceholderTag {
  /** The text between the braces, as written. */
  tag: string;
  /** The argument the tag names, or `undefined` when it names none. */
  argument: string | undefined;
  start: number;
  end: number;
}

/** Reads the argument name of a tag's inner text. @example argumentOfTag(' args.port ') === 'port' */
export function argumentOfTag(tag: string): string | undefined {
  return ARGUMENT_TAG.exec(tag.trim())?.[1];
}

/** Every `{{…}}` tag of a text, in order. @example findPlaceholders('a{{args.x}}').length === 1 */
export function findPlaceholders(text: string): PlaceholderTag[] {
  return [...text.matchAll(TEMPLATE_TAG)].map((match) => ({
    tag: match[1] ?? '',
    argument: argumentOfTag(match[1] ?? ''),
    start: match.index,
    end: match.index + match[0].length,
  }));
}

export type PlaceholderReplacement = { text: string; unresolved?: undefined } | { text?: undefined; unresolved: PlaceholderTag };

/**
 * Replaces every `{{args.name}}` of a text by the argument's value; reports the first tag it cannot resolve.
 * @example replacePlaceholders('port {{ args.port }}', { port: '9090' }).text === 'port 9090'
 */
export function replacePlaceholders(text: string, args: Readonly<Record<string, string>>): PlaceholderReplacement {
  let replaced = '';
  let copiedUpTo = 0;
  for (const placeholder of findPlaceholders(text)) {
    const value = placeholder.argument !== undefined && Object.hasOwn(args, placeholder.argument) ? args[placeholder.argument] : undefined;
    if (value === undefined) return { unresolved: placeholder };
    replaced += text.slice(copiedUpTo, placeholder.start) + value;
    copiedUpTo = placeholder.end;
  }
  return { text: replaced + text.slice(copiedUpTo) };
}
