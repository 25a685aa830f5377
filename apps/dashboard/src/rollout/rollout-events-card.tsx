import type { RolloutDetail } from '../api/documents.js';
import { TimeAgo } from '../shared/time-cell.js';
import { useNow } from '../shared/use-now.js';

/** The most recent Kubernetes Events of the rollout's objects, newest first, as the agent last reported them. */
export function RolloutEventsCard({ rollout }: { rollout: RolloutDetail }) {
  const now = useNow();
  return (
    <section className="card" aria-labelledby="events-title">
      <h2 id="events-title">Recent events</h2>
      {rollout.events.length === 0 ? <p className="muted">No event reported.</p> : null}
      {rollout.events.length > 0 ? (
        <ol className="event-list">
          {rollout.events.map((event) => (
            <li key={`${event.objectKind}/${event.objectName}/${event.reason}/${event.lastSeenAt}`} data-event-type={event.type}>
              <div className="event-head">
                <span className={`badge tone-${event.type === 'Warning' ? 'warn' : 'idle'}`}>{event.type}</span>
                <strong>{event.reason}</strong>
                <code className="event-object">
                  {event.objectKind.toLowerCase()}/{event.objectName}
                </code>
                <span className="muted">
                  {event.count > 1 ? `×${event.count}, last ` : null}
                  <TimeAgo iso={event.lastSeenAt} now={now} />
                </span>
              </div>
              <div className="event-message">{event.message}</div>
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}
