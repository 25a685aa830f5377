import { describe, expect, it } from 'vitest';
import { lineFeedsShown, printableLine, printableLines, printableStrings } from './printable.js';
import { formatTable } from './table.js';
import { summaryField } from './tree.js';

describe('printableLines', () => {
  it.each([
    { what: 'plain text', text: 'Healthy: 3/3 ready', shown: 'Healthy: 3/3 ready' },
    { what: 'an OSC 52 clipboard write', text: 'a\u001b]52;c;aGk=\u0007b', shown: String.raw`a\x1b]52;c;aGk=\x07b` },
    { what: 'a CSI erase-line', text: '\u001b[2Kdone', shown: String.raw`\x1b[2Kdone` },
    { what: 'a C1 CSI (U+009B)', text: '\u009b31mred', shown: String.raw`\x9b31mred` },
    { what: 'a carriage return, a tab and DEL', text: 'a\rb\tc\u007f', shown: String.raw`a\x0db\x09c\x7f` },
    { what: 'a line feed, kept', text: 'first\nsecond', shown: 'first\nsecond' },
    { what: 'letters past the C1 range', text: 'naïve ⎈ ✔', shown: 'naïve ⎈ ✔' },
  ])('$what', ({ text, shown }) => {
    expect(printableLines(text)).toBe(shown);
  });
});

describe('printableLine and lineFeedsShown', () => {
  it('shows the line feed too, or only it, leaving colour codes to lineFeedsShown', () => {
    expect(printableLine('a\u001b[2K\nb')).toBe(String.raw`a\x1b[2K\x0ab`);
    expect(lineFeedsShown('\u001b[32mok\u001b[39m\nb')).toBe(String.raw`${'\u001b[32mok\u001b[39m'}\x0ab`);
  });
});

describe('printableStrings', () => {
  it('shows the control characters of every string of an answer, keys included, and keeps the rest', () => {
    const answer = { rollouts: [{ message: 'a\u009b2K', weight: 20, paused: false, status: null, fields: { 'x\u001b': ['\u0007'] } }] };
    expect(printableStrings(answer)).toEqual({
      rollouts: [
        { message: String.raw`a\x9b2K`, weight: 20, paused: false, status: null, fields: { [String.raw`x\x1b`]: [String.raw`\x07`] } },
      ],
    });
  });
});

describe('a line feed in a cell or a summary value', () => {
  it('is shown, so that it adds no row and the columns stay aligned', () => {
    expect(formatTable(['REASON', 'BY'], [['ok\nfake', 'ci']])).toBe(`REASON       BY\n${String.raw`ok\x0afake`}   ci\n`);
    expect(summaryField('Message', 'ok\nStatus: Healthy')).toBe(String.raw`Message:         ok\x0aStatus: Healthy`);
  });
});
