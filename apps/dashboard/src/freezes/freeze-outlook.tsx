import { FREEZE_WINDOWS, type FreezePeriod } from '../api/documents.js';
import { useGraphqlQuery, useInterval } from '../api/use-graphql.js';
import { Link } from '../routing/router.js';
import { formatTime } from '../shared/time.js';
import { freezeOutlook } from './freeze-facts.js';

/** Periods start and end by the clock, not by an event: the outlook is read again this often. */
const OUTLOOK_REFRESH_MS = 60_000;

function PeriodLine({ period, now }: { period: FreezePeriod; now: boolean }) {
  return (
    <li data-freeze-period={period.window}>
      <strong>{period.window}</strong> ({period.policy}){' '}
      {now ? (
        'until '
      ) : (
        <>
          from <time dateTime={period.start}>{formatTime(period.start)}</time> to{' '}
        </>
      )}
      <time dateTime={period.end}>{formatTime(period.end)}</time>: {period.reason}
    </li>
  );
}

/** The overview's line on freezes: those in effect now, and the next window to start. */
export function FreezeOutlook() {
  const query = useGraphqlQuery(FREEZE_WINDOWS, {});
  useInterval(query.reload, OUTLOOK_REFRESH_MS);
  if (!query.data || query.data.freezeWindows.length === 0) return null;
  const { current, next } = freezeOutlook(query.data.freezeWindows);
  return (
    <section className="card" aria-labelledby="freezes-title" data-testid="freeze-outlook">
      <h2 id="freezes-title">
        Freezes <Link to={{ page: 'freezes' }}>(all)</Link>
      </h2>
      {current.length > 0 ? (
        <>
          <p className="notice">In effect now, in the clusters and namespaces each covers:</p>
          <ul>
            {current.map((period) => (
              <PeriodLine key={period.window} period={period} now />
            ))}
          </ul>
        </>
      ) : null}
      {next ? (
        <>
          <p>Next window:</p>
          <ul>
            <PeriodLine period={next} now={false} />
          </ul>
        </>
      ) : current.length === 0 ? (
        <p className="muted">No freeze is coming.</p>
      ) : null}
    </section>
  );
}
