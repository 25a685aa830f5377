import { lineFeedsShown } from './printable.js';
import { visibleLength } from './terminal.js';

/** The width of each column: its widest cell among the header and the rows. */
export function columnWidths(headers: readonly string[], rows: readonly (readonly string[])[]): number[] {
  return headers.map((header, column) =>
    Math.max(visibleLength(header), ...rows.map((row) => visibleLength(lineFeedsShown(row[column] ?? '')))),
  );
}

/**
 * One line of a table laid out with `widths`, columns three spaces apart; the last column is not padded. A line feed
 * in a cell is shown, not followed, so that a message cannot add a row of its own.
 * @example formatRow(['staging', 'Connected'], [7, 9]) === 'staging   Connected\n'
 */
export function formatRow(cells: readonly string[], widths: readonly number[]): string {
  const padded = cells
    .map(lineFeedsShown)
    .map((cell, column) =>
      column === cells.length - 1 ? cell : cell + ' '.repeat(Math.max(0, (widths[column] ?? 0) - visibleLength(cell)) + 3),
    )
    .join('')
    .trimEnd();
  return `${padded}\n`;
}

/**
 * Lays out rows under upper-case headers in columns three spaces apart, as kubectl does; the last column is not padded.
 * @example formatTable(['NAME', 'STATE'], [['staging', 'Connected']]) === 'NAME      STATE\nstaging   Connected\n'
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = columnWidths(headers, rows);
  return [headers, ...rows].map((cells) => formatRow(cells, widths)).join('');
}
