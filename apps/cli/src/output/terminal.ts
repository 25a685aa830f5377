/** Text styles; each is the identity when colours are off. */
export interface Styles {
  bold: (text: string) => string;
  dim: (text: string) => string;
  green: (text: string) => string;
  red: (text: string) => string;
  yellow: (text: string) => string;
  cyan: (text: string) => string;
}

const ansi = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

const COLOURED: Styles = {
  bold: ansi(1, 22),
  dim: ansi(2, 22),
  green: ansi(32, 39),
  red: ansi(31, 39),
  yellow: ansi(33, 39),
  cyan: ansi(36, 39),
};
const identity = (text: string): string => text;
const PLAIN: Styles = { bold: identity, dim: identity, green: identity, red: identity, yellow: identity, cyan: identity };

/** Where a command writes, and whether that place is a terminal that takes colours and redraws. */
export interface Terminal {
  readonly isTTY: boolean;
  readonly style: Styles;
  out(text: string): void;
  err(text: string): void;
}

/** Colours only on a terminal, and never when `NO_COLOR` is set to anything non-empty. */
export function coloursWanted(isTTY: boolean, environment: Readonly<Record<string, string | undefined>>): boolean {
  return isTTY && !environment.NO_COLOR;
}

export function processTerminal(environment: Readonly<Record<string, string | undefined>>): Terminal {
  const isTTY = process.stdout.isTTY === true;
  return {
    isTTY,
    style: coloursWanted(isTTY, environment) ? COLOURED : PLAIN,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  };
}

/** The printable width of a text, ignoring colour codes. */
export function visibleLength(text: string): number {
  return [...text.replace(/\u001b\[\d+m/g, '')].length;
}
