const UNITS: [number, string][] = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'm'],
  [1_000, 's'],
];

/**
 * How long ago an ISO time was, in its largest whole unit.
 * @example timeAgo('2026-01-01T10:00:00Z', new Date('2026-01-01T10:02:30Z')) === '2m ago'
 */
export function timeAgo(iso: string, now: Date): string {
  const elapsed = now.getTime() - new Date(iso).getTime();
  if (elapsed < 1_000) return 'just now';
  for (const [size, unit] of UNITS) if (elapsed >= size) return `${Math.floor(elapsed / size)}${unit} ago`;
  return 'just now';
}

/** A local date and time to the second, as a tooltip or table cell. */
export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}
