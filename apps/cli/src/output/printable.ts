/** Every control character: C0, DEL and C1 (U+0080–U+009F). */
const CONTROLS = /\p{Cc}/gu;
/** The same but the line feed, which texts of several lines (notification messages, freeze schedules) are laid out by. */
const CONTROLS_BUT_LINE_FEED = /[^\P{Cc}\n]/gu;
const LINE_FEEDS = /\n/g;

/** A control character as `\xHH`, which is how `$'…'` in a shell writes it. */
const shown = (character: string): string => `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`;

/**
 * A text with every control character but the line feed shown, so that a terminal prints it rather than acting on it.
 * @example printableLines('ok\u001b]52;c;aGk=\u0007\nnext') === 'ok\\x1b]52;c;aGk=\\x07\nnext'
 */
export const printableLines = (text: string): string => text.replace(CONTROLS_BUT_LINE_FEED, shown);

/**
 * A text with every control character shown, the line feed too: it prints as one line.
 * @example printableLine('ok\nfake') === 'ok\\x0afake'
 */
export const printableLine = (text: string): string => text.replace(CONTROLS, shown);

/**
 * Line feeds shown, for a table cell or a summary value, which hold one line each but may carry the CLI's own colours.
 * @example lineFeedsShown('\u001b[32mok\u001b[39m\nfake') === '\u001b[32mok\u001b[39m\\x0afake'
 */
export const lineFeedsShown = (text: string): string => text.replace(LINE_FEEDS, shown);

/**
 * A copy of an API answer with `printableLines` applied to every string, object keys included.
 * @example printableStrings({ rollout: { message: 'a\u009b2K' } }) // => { rollout: { message: 'a\\x9b2K' } }
 */
export function printableStrings<T>(value: T): T {
  return printableValue(value) as T;
}

function printableValue(value: unknown): unknown {
  if (typeof value === 'string') return printableLines(value);
  if (Array.isArray(value)) return value.map(printableValue);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [printableLines(key), printableValue(item)]));
  return value;
}
