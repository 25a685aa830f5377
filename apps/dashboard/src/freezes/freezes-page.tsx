import { useState } from 'react';
import {
  CONFIRM_BREAK_GLASS,
  FREEZES_PAGE,
  REVOKE_BREAK_GLASS,
  type BreakGlassOverride,
  type FreezePeriod,
  type FreezesPageData,
  type FreezeWindow,
} from '../api/documents.js';
import { GraphqlRequestError, requestGraphql } from '../api/graphql-client.js';
import { useGraphqlQuery, useInterval } from '../api/use-graphql.js';
import { useSession } from '../session/session-context.js';
import { ConfirmDialog } from '../shared/confirm-dialog.js';
import { RequestError } from '../shared/request-error.js';
import { formatTime } from '../shared/time.js';
import { overrideActions } from './freeze-facts.js';
import { ColumnHeads } from '../shared/column-heads.js';

/** Periods and overrides start and end by the clock, not by an event: the page is read again this often. */
const REFRESH_MS = 15_000;

type OverrideAct = 'confirm' | 'revoke';

const ACTS: Record<OverrideAct, { label: string; title: string; effect: string; destructive: boolean }> = {
  confirm: {
    label: 'Confirm',
    title: 'Confirm the break-glass override',
    effect: 'It takes effect now: operations that a freeze refuses are allowed for its target until it expires.',
    destructive: true,
  },
  revoke: {
    label: 'Revoke',
    title: 'Revoke the break-glass override',
    effect: 'Freezes apply to its target again at once.',
    destructive: false,
  },
};

/** Freeze windows with their current and next periods, and break-glass overrides with confirm and revoke for admins. */
export function FreezesPage() {
  const query = useGraphqlQuery(FREEZES_PAGE, {});
  useInterval(query.reload, REFRESH_MS);
  return (
    <>
      <h1>Freezes</h1>
      <RequestError error={query.error} what="the freezes" />
      {query.data ? (
        <>
          <FreezeWindows windows={query.data.freezeWindows} />
          <Overrides data={query.data} onChanged={query.reload} />
        </>
      ) : query.error ? null : (
        <p>Loading…</p>
      )}
    </>
  );
}

function Period({ period }: { period: FreezePeriod | null }) {
  if (!period) return <span className="muted">—</span>;
  return (
    <>
      <time dateTime={period.start}>{formatTime(period.start)}</time> – <time dateTime={period.end}>{formatTime(period.end)}</time>
    </>
  );
}

function FreezeWindows({ windows }: { windows: FreezeWindow[] }) {
  return (
    <section className="card" aria-labelledby="freeze-windows-title">
      <h2 id="freeze-windows-title">Freeze windows</h2>
      {windows.length === 0 ? (
        <p className="muted">No FreezeWindow is applied: apply one with flotilla apply -f freeze.yaml.</p>
      ) : (
        <table>
          <ColumnHeads names={['Window', 'Policy', 'Now', 'Period (now, else next)', 'Reason', 'Namespaces']} />
          <tbody>
            {windows.map((window) => (
              <tr key={window.name} data-freeze-window={window.name}>
                <th scope="row">{window.name}</th>
                <td>{window.policy}</td>
                <td>{window.current ? <span className="badge tone-warn">frozen</span> : <span className="muted">open</span>}</td>
                <td>
                  <Period period={window.current ?? window.next} />
                </td>
                <td>{window.reason}</td>
                <td>{window.namespaces?.join(', ') ?? <span className="muted">all</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

type Outcome = { kind: 'done'; message: string } | { kind: 'failed'; message: string; code: string };

function Overrides({ data, onChanged }: { data: FreezesPageData; onChanged: () => void }) {
  const session = useSession();
  const [asking, setAsking] = useState<{ act: OverrideAct; override: BreakGlassOverride }>();
  const [inFlight, setInFlight] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const viewer = { role: session.identity.role, actor: `token:${session.identity.tokenName}` };
  const { breakGlassNeedsSecondAdmin } = data.organizationSettings;
  const overrides = data.breakGlassOverrides.nodes;

  const send = async (act: OverrideAct, override: BreakGlassOverride, reason: string | undefined) => {
    setAsking(undefined);
    setInFlight(true);
    setOutcome(undefined);
    try {
      if (act === 'revoke') await requestGraphql(session.token, REVOKE_BREAK_GLASS, { id: override.id, reason });
      else await requestGraphql(session.token, CONFIRM_BREAK_GLASS, { id: override.id });
      setOutcome({ kind: 'done', message: `${ACTS[act].label}ed the override of ${override.target}.` });
      onChanged();
    } catch (error) {
      const failure = error instanceof GraphqlRequestError ? error : new GraphqlRequestError('client/failed', String(error), act);
      if (failure.unauthenticated) session.signOut(failure.message);
      setOutcome({ kind: 'failed', message: failure.message, code: failure.code });
    } finally {
      setInFlight(false);
    }
  };

  return (
    <section className="card" aria-labelledby="overrides-title">
      <h2 id="overrides-title">Break-glass overrides</h2>
      <p className="hint">
        An admin lifts freezes for one rollout or one fleet release with <code>flotilla break-glass</code>
        {breakGlassNeedsSecondAdmin ? '; a second admin must confirm it before it takes effect.' : '; it takes effect at once.'}
      </p>
      {outcome ? (
        <p className={outcome.kind === 'failed' ? 'error' : 'notice'} role={outcome.kind === 'failed' ? 'alert' : 'status'}>
          {outcome.message} {outcome.kind === 'failed' ? <code>{outcome.code}</code> : null}
        </p>
      ) : null}
      {overrides.length === 0 ? (
        <p className="muted">No override was asked for.</p>
      ) : (
        <table>
          <ColumnHeads names={['Target', 'State', 'Reason', 'Requested by', 'Confirmed by', 'Expires', 'Acts']} />
          <tbody>
            {overrides.map((override) => {
              const acts = overrideActions(override, viewer, breakGlassNeedsSecondAdmin);
              return (
                <tr key={override.id} data-override={override.id} data-state={override.state}>
                  <th scope="row">
                    {override.targetType} <code>{override.target}</code>
                  </th>
                  <td>
                    <span
                      className={`badge tone-${override.state === 'Active' ? 'bad' : override.state === 'PendingConfirmation' ? 'warn' : 'idle'}`}
                    >
                      {override.state}
                    </span>
                  </td>
                  <td>{override.reason}</td>
                  <td>
                    {override.requestedBy} <time dateTime={override.requestedAt}>{formatTime(override.requestedAt)}</time>
                  </td>
                  <td>{override.confirmedBy ?? <span className="muted">—</span>}</td>
                  <td>
                    {override.expiresAt ? <time dateTime={override.expiresAt}>{formatTime(override.expiresAt)}</time> : 'once confirmed'}
                  </td>
                  <td>
                    {(['confirm', 'revoke'] as const)
                      .filter((act) => acts[act])
                      .map((act) => (
                        <button key={act} type="button" disabled={inFlight} onClick={() => setAsking({ act, override })}>
                          {ACTS[act].label}
                        </button>
                      ))}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {asking ? (
        <ConfirmDialog
          title={ACTS[asking.act].title}
          effect={`${asking.override.targetType} ${asking.override.target}: ${ACTS[asking.act].effect}`}
          confirmLabel={ACTS[asking.act].label}
          destructive={ACTS[asking.act].destructive}
          askReason={asking.act === 'revoke'}
          onConfirm={(reason) => void send(asking.act, asking.override, reason)}
          onCancel={() => setAsking(undefined)}
        />
      ) : null}
    </section>
  );
}
