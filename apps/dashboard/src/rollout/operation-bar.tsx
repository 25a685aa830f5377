import { useState } from 'react';
import { ROLLOUT_OPERATIONS, type RolloutOperation, type RolloutProgress, type RolloutRef } from '../api/documents.js';
import { GraphqlRequestError, requestGraphql } from '../api/graphql-client.js';
import { useSession } from '../session/session-context.js';
import { ConfirmDialog } from '../shared/confirm-dialog.js';
import { OPERATION_ACTIONS, unavailableReason, type OperationActionInfo } from './operation-actions.js';

type Outcome = { kind: 'sent'; label: string; operationId: string } | { kind: 'failed'; label: string; message: string; code: string };

/**
 * What became of an operation sent from this page, by its entry in the rollout's operations: requested while the
 * engine has still to take it up, then applied or refused with the engine's message.
 */
function SentOperation({ label, operation }: { label: string; operation: RolloutOperation | undefined }) {
  if (operation === undefined || operation.state === 'Pending') return <>{label} requested; the engine carries it out next.</>;
  if (operation.state === 'Refused')
    return (
      <span className="error" data-operation-outcome="Refused">
        {label} refused by the engine: {operation.message ?? 'no reason given'}
      </span>
    );
  return (
    <span data-operation-outcome={operation.state}>
      {label} {operation.state.toLowerCase()}
      {operation.message ? `: ${operation.message}` : '.'}
    </span>
  );
}

/** The operation buttons of a rollout: confirmed first, one request at a time, closed to tokens the API refuses. */
export function OperationBar({
  rollout,
  progress,
  operations,
  revisionCount,
  onSent,
}: {
  rollout: RolloutRef;
  progress: RolloutProgress;
  operations: RolloutOperation[];
  revisionCount: number;
  onSent: () => void;
}) {
  const session = useSession();
  const [confirming, setConfirming] = useState<OperationActionInfo>();
  const [inFlight, setInFlight] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const readOnlyReason =
    session.identity.role === 'viewer' ? 'the viewer role may watch but not operate rollouts.' : 'the API refused this token an operation.';

  const send = async (info: OperationActionInfo, reason: string | undefined) => {
    setConfirming(undefined);
    setInFlight(true);
    setOutcome(undefined);
    const variables = { rollout: { cluster: rollout.cluster, namespace: rollout.namespace, name: rollout.name }, reason };
    try {
      const sent =
        info.mutation === 'promote'
          ? (await requestGraphql(session.token, ROLLOUT_OPERATIONS.promote, { ...variables, full: info.action === 'promote-full' }))
              .promote
          : Object.values(
              await requestGraphql<Record<string, RolloutOperation>, typeof variables>(
                session.token,
                ROLLOUT_OPERATIONS[info.mutation],
                variables,
              ),
            )[0];
      if (sent) setOutcome({ kind: 'sent', label: info.label, operationId: sent.id });
      onSent();
    } catch (error) {
      const failure = error instanceof GraphqlRequestError ? error : new GraphqlRequestError('client/failed', String(error), info.mutation);
      if (failure.forbidden) session.noteOperationForbidden();
      if (failure.unauthenticated) session.signOut(failure.message);
      setOutcome({ kind: 'failed', label: info.label, message: failure.message, code: failure.code });
    } finally {
      setInFlight(false);
    }
  };

  return (
    <section className="operations-bar" aria-label="Operations">
      <div className="button-row">
        {OPERATION_ACTIONS.map((info) => {
          const unavailable = session.mayOperate ? unavailableReason(info.action, progress, revisionCount) : readOnlyReason;
          return (
            <button
              key={info.action}
              type="button"
              className={info.destructive ? 'danger-outline' : undefined}
              disabled={inFlight || unavailable !== undefined}
              title={unavailable ?? info.effect}
              data-operation={info.action}
              onClick={() => setConfirming(info)}
            >
              {info.label}
            </button>
          );
        })}
      </div>
      <p className="operation-outcome" role="status" aria-live="polite">
        {inFlight ? 'Sending…' : null}
        {outcome?.kind === 'sent' ? (
          <SentOperation label={outcome.label} operation={operations.find((operation) => operation.id === outcome.operationId)} />
        ) : null}
        {outcome?.kind === 'failed' ? (
          <span className="error">
            {outcome.label} failed: {outcome.message} <code>{outcome.code}</code>
          </span>
        ) : null}
        {!session.mayOperate && outcome === undefined ? <span className="muted">Read-only: {readOnlyReason}</span> : null}
      </p>
      {confirming ? (
        <ConfirmDialog
          title={`${confirming.label} ${rollout.name}?`}
          effect={confirming.effect}
          confirmLabel={confirming.label}
          destructive={confirming.destructive}
          onConfirm={(reason) => void send(confirming, reason)}
          onCancel={() => setConfirming(undefined)}
        />
      ) : null}
    </section>
  );
}
