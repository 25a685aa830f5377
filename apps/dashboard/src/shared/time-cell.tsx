import { formatTime, timeAgo } from './time.js';

/** A time shown as "3m ago" with the exact time in the machine-readable attribute and tooltip. */
export function TimeAgo({ iso, now }: { iso: string | null; now: Date }) {
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={formatTime(iso)}>
      {timeAgo(iso, now)}
    </time>
  );
}
