import { useCallback, useEffect, useState } from 'react';
import { AUDIT_EVENT_ADDED, AUDIT_EVENTS, type AuditEvent } from '../api/documents.js';
import type { ResultOf } from '../api/graphql.js';
import { useGraphqlQuery, useSubscription } from '../api/use-graphql.js';
import { withAuditEvent } from './audit-events.js';
import { RequestError } from '../shared/request-error.js';
import { TimeAgo } from '../shared/time-cell.js';
import { formatTime } from '../shared/time.js';
import { useNow } from '../shared/use-now.js';

const TIMELINE_LENGTH = 50;

/** The organization's audit events, or those of one target, newest first, with new ones added as they are written. */
export function AuditTimeline({ targetName, title }: { targetName?: string; title: string }) {
  const filter = targetName ? { targetName } : undefined;
  const query = useGraphqlQuery(AUDIT_EVENTS, { filter, page: { first: TIMELINE_LENGTH } });
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const now = useNow();
  useEffect(() => {
    if (query.data)
      setEvents((live) =>
        live.reduce((timeline, event) => withAuditEvent(timeline, event, TIMELINE_LENGTH), query.data?.auditEvents.nodes ?? []),
      );
  }, [query.data]);
  const onEvent = useCallback(
    ({ auditEventAdded }: ResultOf<typeof AUDIT_EVENT_ADDED>) => {
      if (targetName === undefined || auditEventAdded.targetName === targetName)
        setEvents((current) => withAuditEvent(current, auditEventAdded, TIMELINE_LENGTH));
    },
    [targetName],
  );
  useSubscription(AUDIT_EVENT_ADDED, {}, onEvent);

  return (
    <section className="card" aria-labelledby="audit-title">
      <h2 id="audit-title">{title}</h2>
      <RequestError error={query.error} what="the audit events" />
      {query.data && events.length === 0 ? <p className="muted">Nothing recorded yet.</p> : null}
      <ol className="timeline" aria-live="polite">
        {events.map((event) => (
          <li key={event.id} data-audit-action={event.action}>
            <span className="timeline-time">
              <TimeAgo iso={event.occurredAt} now={now} />
            </span>
            <span className="timeline-body">
              <strong>{event.action}</strong> by <code>{event.actor}</code>
              {targetName ? null : (
                <>
                  {' '}
                  on {event.targetType} <code>{event.targetName}</code>
                </>
              )}
              {event.reason ? <span className="timeline-reason"> — “{event.reason}”</span> : null}
              <span className="muted">
                {' '}
                #{event.sequence} · {formatTime(event.occurredAt)}
              </span>
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}
