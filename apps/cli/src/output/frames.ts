import type { Terminal } from './terminal.js';

const CURSOR_HOME = '\u001b[H';
const CLEAR_LINE_END = '\u001b[K';
const CLEAR_BELOW = '\u001b[J';

/** A frame drawn over the previous one in place, each line and the rest of the screen cleared, so it does not flicker. */
const inPlace = (frame: string): string => `${CURSOR_HOME}${frame.replace(/\n/g, `${CLEAR_LINE_END}\n`)}${CLEAR_BELOW}`;

/**
 * Prints the frames of a live view: on a terminal each frame replaces the last (so that relative times can be
 * redrawn every second); otherwise each changed frame is printed after the last, separated by a blank line.
 */
export function framePrinter(terminal: Terminal): (frame: string) => void {
  let lastFrame: string | undefined;
  return (frame) => {
    if (terminal.isTTY) terminal.out(inPlace(frame));
    else if (frame !== lastFrame) terminal.out(`${lastFrame === undefined ? '' : '\n'}${frame}`);
    lastFrame = frame;
  };
}
