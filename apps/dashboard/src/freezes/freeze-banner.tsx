import type { FreezePeriod } from '../api/documents.js';
import { Link } from '../routing/router.js';
import { formatTime } from '../shared/time.js';

/** What a freeze stops, by its policy, in the words of the banner. */
function policyEffect(policy: string, subject: string): string {
  return policy === 'hold'
    ? `New releases wait and ${subject} stops where it is until then.`
    : `New releases wait and promotions are refused until then; ${subject} already under way carries on.`;
}

/**
 * The banner of a page whose rollout or fleet release a freeze covers now: the window, its reason and its end, and
 * (for a fleet release) which members it covers.
 */
export function FreezeBanner({ period, subject, clusters }: { period: FreezePeriod; subject: string; clusters?: readonly string[] }) {
  return (
    <section className="freeze-banner" role="status" aria-label="Freeze" data-freeze-window={period.window}>
      <strong>
        Frozen by <span data-testid="freeze-window">{period.window}</span> until{' '}
        <time dateTime={period.end} data-testid="freeze-end">
          {formatTime(period.end)}
        </time>
      </strong>
      <span data-testid="freeze-reason">{period.reason}</span>
      {clusters && clusters.length > 0 ? <span>Covers {clusters.join(', ')}.</span> : null}
      <span className="hint">
        {policyEffect(period.policy, subject)} An admin may override it (<Link to={{ page: 'freezes' }}>break-glass</Link>).
      </span>
    </section>
  );
}
