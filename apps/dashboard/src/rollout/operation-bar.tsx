import { useState } from 'react';
import { ROLLOUT_OPERATIONS, SET_IMAGE, type RolloutOperation, type RolloutProgress, type RolloutRef } from '../api/documents.js';
import { GraphqlRequestError, requestGraphql } from '../api/graphql-client.js';
import { useSession } from '../session/session-context.js';
import { ConfirmDialog } from '../shared/confirm-dialog.js';
import { OPERATION_ACTIONS, unavailableReason, type OperationActionInfo } from './operation-actions.js';

/** What a button of the bar or the release history asks for, confirmed in a dialog before it is sent. */
export type OperationRequest =
  { kind: 'action'; info: OperationActionInfo } | { kind: 'set-image' } | { kind: 'roll-back'; revision: number };

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

/**
 * The operation buttons of a rollout and the form that sets an image: confirmed first (`request` is the one being
 * confirmed, also asked for by the release history), one request at a time, closed to tokens the API refuses.
 */
export function OperationBar({
  rollout,
  progress,
  operations,
  revisionCount,
  request,
  onRequest,
  onSent,
}: {
  rollout: RolloutRef;
  progress: RolloutProgress;
  operations: RolloutOperation[];
  revisionCount: number;
  request: OperationRequest | undefined;
  onRequest: (request: OperationRequest | undefined) => void;
  onSent: () => void;
}) {
  const session = useSession();
  const [inFlight, setInFlight] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const readOnlyReason =
    session.identity.role === 'viewer' ? 'the viewer role may watch but not operate rollouts.' : 'the API refused this token an operation.';
  const rolloutRef = { cluster: rollout.cluster, namespace: rollout.namespace, name: rollout.name };

  const send = async (label: string, mutation: string, mutate: () => Promise<RolloutOperation | undefined>) => {
    onRequest(undefined);
    setInFlight(true);
    setOutcome(undefined);
    try {
      const sent = await mutate();
      if (sent) setOutcome({ kind: 'sent', label, operationId: sent.id });
      onSent();
    } catch (error) {
      const failure = error instanceof GraphqlRequestError ? error : new GraphqlRequestError('client/failed', String(error), mutation);
      if (failure.forbidden) session.noteOperationForbidden();
      if (failure.unauthenticated) session.signOut(failure.message);
      setOutcome({ kind: 'failed', label, message: failure.message, code: failure.code });
    } finally {
      setInFlight(false);
    }
  };

  const sendAction = (info: OperationActionInfo, reason: string | undefined) =>
    send(info.label, info.mutation, async () => {
      const variables = { rollout: rolloutRef, reason };
      if (info.mutation === 'promote')
        return (await requestGraphql(session.token, ROLLOUT_OPERATIONS.promote, { ...variables, full: info.action === 'promote-full' }))
          .promote;
      return Object.values(
        await requestGraphql<Record<string, RolloutOperation>, typeof variables>(
          session.token,
          ROLLOUT_OPERATIONS[info.mutation],
          variables,
        ),
      )[0];
    });
  const sendRollBack = (revision: number, reason: string | undefined) =>
    send(`Roll back to revision ${revision}`, 'undo', async () => {
      const variables = { rollout: rolloutRef, reason, toRevision: revision };
      return (await requestGraphql(session.token, ROLLOUT_OPERATIONS.undo, variables)).undo;
    });
  const sendSetImage = (change: ImageChange, reason: string | undefined) =>
    send(`Set image ${change.image}`, 'setImage', async () => {
      const variables = { rollout: rolloutRef, ...change, reason };
      return (await requestGraphql(session.token, SET_IMAGE, variables)).setImage;
    });

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
              onClick={() => onRequest({ kind: 'action', info })}
            >
              {info.label}
            </button>
          );
        })}
        <button
          type="button"
          disabled={inFlight || !session.mayOperate}
          title={session.mayOperate ? SET_IMAGE_EFFECT : readOnlyReason}
          data-operation="set-image"
          onClick={() => onRequest({ kind: 'set-image' })}
        >
          Set image
        </button>
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
      {request?.kind === 'action' ? (
        <ConfirmDialog
          title={`${request.info.label} ${rollout.name}?`}
          effect={request.info.effect}
          confirmLabel={request.info.label}
          destructive={request.info.destructive}
          onConfirm={(reason) => void sendAction(request.info, reason)}
          onCancel={() => onRequest(undefined)}
        />
      ) : null}
      {request?.kind === 'roll-back' ? (
        <ConfirmDialog
          title={`Roll ${rollout.name} back to revision ${request.revision}?`}
          effect={`Releases the pod template of revision ${request.revision} again as a new revision, through the rollout's steps.`}
          confirmLabel="Roll back"
          destructive
          onConfirm={(reason) => void sendRollBack(request.revision, reason)}
          onCancel={() => onRequest(undefined)}
        />
      ) : null}
      {request?.kind === 'set-image' ? (
        <SetImageDialog
          rolloutName={rollout.name}
          onConfirm={(change, reason) => void sendSetImage(change, reason)}
          onCancel={() => onRequest(undefined)}
        />
      ) : null}
    </section>
  );
}

const SET_IMAGE_EFFECT = "Changes one container's image: a new revision, released through the rollout's steps.";

interface ImageChange {
  container: string;
  image: string;
}

/** Asks for the container and its new image, and a reason, before an image is set. */
function SetImageDialog({
  rolloutName,
  onConfirm,
  onCancel,
}: {
  rolloutName: string;
  onConfirm: (change: ImageChange, reason: string | undefined) => void;
  onCancel: () => void;
}) {
  const [container, setContainer] = useState(rolloutName);
  const [image, setImage] = useState('');
  return (
    <ConfirmDialog
      title={`Set an image of ${rolloutName}?`}
      effect={SET_IMAGE_EFFECT}
      confirmLabel="Set image"
      destructive={false}
      onConfirm={(reason) => onConfirm({ container: container.trim(), image: image.trim() }, reason)}
      onCancel={onCancel}
    >
      <label htmlFor="set-image-container">Container</label>
      <input
        id="set-image-container"
        value={container}
        required
        maxLength={253}
        pattern=".*\S.*"
        spellCheck={false}
        onChange={(event) => setContainer(event.target.value)}
      />
      <label htmlFor="set-image-image">Image</label>
      <input
        id="set-image-image"
        value={image}
        required
        maxLength={512}
        pattern=".*\S.*"
        spellCheck={false}
        placeholder="registry/name:tag"
        onChange={(event) => setImage(event.target.value)}
      />
    </ConfirmDialog>
  );
}
