import { useEffect, useState, type FormEvent } from 'react';
import { AUDIT_LOG_PAGE, type AuditEvent, type AuditEventFilter } from '../api/documents.js';
import { useGraphqlQuery } from '../api/use-graphql.js';
import { Link } from '../routing/router.js';
import { RequestError } from '../shared/request-error.js';
import { formatTime } from '../shared/time.js';
import { targetRoute } from './audit-target.js';
import { ColumnHeads } from '../shared/column-heads.js';

const PAGE_SIZE = 50;
const FILTER_FIELDS = ['action', 'actor', 'targetType', 'targetName', 'from', 'to'] as const;
type FilterField = (typeof FILTER_FIELDS)[number];
type FilterForm = Record<FilterField, string>;
const EMPTY_FORM: FilterForm = { action: '', actor: '', targetType: '', targetName: '', from: '', to: '' };
const FIELD_LABELS: Record<FilterField, string> = {
  action: 'Action (or prefix such as rollout.)',
  actor: 'Actor',
  targetType: 'Target type',
  targetName: 'Target',
  from: 'From',
  to: 'Before',
};

/** The filter the API takes from the form: blank fields left out, local times of the time fields as instants. */
function filterOf(form: FilterForm): AuditEventFilter {
  const filter: AuditEventFilter = {};
  for (const field of FILTER_FIELDS) {
    const value = form[field].trim();
    if (value === '') continue;
    filter[field] = field === 'from' || field === 'to' ? new Date(value).toISOString() : value;
  }
  return filter;
}

/** Every audit event of the organization, newest first, filtered and paged through with the API's cursor. */
export function AuditPage() {
  const [form, setForm] = useState<FilterForm>(EMPTY_FORM);
  const [filter, setFilter] = useState<AuditEventFilter>({});
  const [after, setAfter] = useState<string | null>(null);
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const query = useGraphqlQuery(AUDIT_LOG_PAGE, { filter, page: { first: PAGE_SIZE, after } });
  const { data } = query;
  useEffect(() => {
    if (!data) return;
    setEvents((shown) => (after === null ? data.auditEvents.nodes : [...shown, ...data.auditEvents.nodes]));
    // Only a new answer appends or replaces: `after` is read as it was for the request that brought it.
  }, [data]);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setAfter(null);
    setFilter(filterOf(form));
  };
  const pageInfo = data?.auditEvents.pageInfo;

  return (
    <>
      <h1>Audit</h1>
      <form className="filters card" onSubmit={apply} aria-label="Audit filters">
        {FILTER_FIELDS.map((field) => (
          <div className="filter" key={field}>
            <label htmlFor={`audit-${field}`}>{FIELD_LABELS[field]}</label>
            <input
              id={`audit-${field}`}
              type={field === 'from' || field === 'to' ? 'datetime-local' : 'text'}
              value={form[field]}
              onChange={(change) => setForm({ ...form, [field]: change.target.value })}
            />
          </div>
        ))}
        <button type="submit">Filter</button>
        <button
          type="button"
          onClick={() => {
            setForm(EMPTY_FORM);
            setAfter(null);
            setFilter({});
          }}
        >
          Clear
        </button>
      </form>
      <section className="card" aria-labelledby="audit-log-title">
        <h2 id="audit-log-title">Events, newest first</h2>
        <RequestError error={query.error} what="the audit events" />
        {data && events.length === 0 ? <p className="muted">No event matches.</p> : null}
        <table>
          <ColumnHeads names={['#', 'When', 'Action', 'Actor', 'Target', 'Reason']} />
          <tbody>
            {events.map((event) => {
              const route = targetRoute(event);
              return (
                <tr key={event.id} data-audit-event={event.sequence} data-audit-action={event.action}>
                  <td>{event.sequence}</td>
                  <td>{formatTime(event.occurredAt)}</td>
                  <td>
                    <strong>{event.action}</strong>
                  </td>
                  <td>
                    <code>{event.actor}</code>
                  </td>
                  <td>
                    {event.targetType}{' '}
                    {route ? (
                      <Link to={route}>
                        <code>{event.targetName}</code>
                      </Link>
                    ) : (
                      <code>{event.targetName}</code>
                    )}
                  </td>
                  <td>{event.reason ?? ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <p className="muted" role="status">
          {events.length} event{events.length === 1 ? '' : 's'} shown{pageInfo?.hasNextPage ? '; older ones follow' : ''}.
        </p>
        {pageInfo?.hasNextPage ? (
          <button type="button" disabled={query.loading} onClick={() => setAfter(pageInfo.endCursor ?? null)}>
            Load older events
          </button>
        ) : null}
      </section>
    </>
  );
}
