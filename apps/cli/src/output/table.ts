import { visibleLength } from './terminal.js';

/**
 * Lays out rows under upper-case headers in columns three spaces apart, as kubectl does; the last column is not padded.
 * @example formatTable(['NAME', 'STATE'], [['staging', 'Connected']]) === 'NAME      STATE\nstaging   Connected\n'
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(visibleLength(header), ...rows.map((row) => visibleLength(row[column] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell + ' '.repeat((widths[column] ?? 0) - visibleLength(cell) + 3)))
      .join('')
      .trimEnd();
  return [headers, ...rows].map((cells) => `${line(cells)}\n`).join('');
}
