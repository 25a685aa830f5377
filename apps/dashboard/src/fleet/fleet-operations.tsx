import { useState } from 'react';
import { FLEET_MUTATIONS, type FleetMutation, type FleetRelease } from '../api/documents.js';
import { GraphqlRequestError, requestGraphqlWithFormVariables } from '../api/graphql-client.js';
import { useSession } from '../session/session-context.js';
import { ConfirmDialog } from '../shared/confirm-dialog.js';
import { FLEET_ACTIONS, type FleetActionInfo, type MemberAction, type ReleaseAction } from './fleet-actions.js';

/** An operation someone asked for, waiting for confirmation: of the release, of one wave or of one member. */
export interface FleetOperationRequest {
  info: FleetActionInfo;
  /** The wave an approval is for, so that it cannot land on a wave that came after the one on screen. */
  wave?: string;
  cluster?: string;
}

type Outcome =
  | { kind: 'sent'; label: string; release: Pick<FleetRelease, 'number' | 'phase'> }
  | { kind: 'failed'; label: string; message: string; code: string };

/** The operation state of one FleetRollout's page: what is being confirmed, what is under way, how the last one went. */
export interface FleetOperations {
  fleetRollout: string;
  mayOperate: boolean;
  /** Why every button is disabled, when the token may not operate. */
  readOnlyReason: string;
  inFlight: boolean;
  outcome: Outcome | undefined;
  confirming: FleetOperationRequest | undefined;
  ask: (request: FleetOperationRequest) => void;
  cancel: () => void;
  send: (request: FleetOperationRequest, reason: string | undefined, fields: Record<string, unknown>) => Promise<void>;
}

/** Sends the fleet operations of a FleetRollout: confirmed first, one request at a time, closed to tokens the API refuses. */
export function useFleetOperations(fleetRollout: string, onSent: () => void): FleetOperations {
  const session = useSession();
  const [confirming, setConfirming] = useState<FleetOperationRequest>();
  const [inFlight, setInFlight] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();

  const send = async (request: FleetOperationRequest, reason: string | undefined, fields: Record<string, unknown>) => {
    const { info } = request;
    setConfirming(undefined);
    setInFlight(true);
    setOutcome(undefined);
    const variables: Record<string, unknown> = { fleetRollout, reason, ...fields };
    if (request.wave !== undefined) variables.wave = request.wave;
    if (request.cluster !== undefined) variables.cluster = request.cluster;
    try {
      const answer = await requestGraphqlWithFormVariables<Partial<Record<FleetMutation, Pick<FleetRelease, 'number' | 'phase'>>>>(
        session.token,
        FLEET_MUTATIONS[info.mutation],
        variables,
      );
      const release = answer[info.mutation];
      if (release) setOutcome({ kind: 'sent', label: info.label, release });
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

  return {
    fleetRollout,
    mayOperate: session.mayOperate,
    readOnlyReason:
      session.identity.role === 'viewer'
        ? 'the viewer role may watch but not operate fleet releases.'
        : 'the API refused this token an operation.',
    inFlight,
    outcome,
    confirming,
    ask: setConfirming,
    cancel: () => setConfirming(undefined),
    send,
  };
}

/** One operation's button: disabled while another is under way and for tokens that may not operate. */
export function FleetOperationButton({
  operations,
  request,
  label = request.info.label,
}: {
  operations: FleetOperations;
  request: FleetOperationRequest;
  /** A longer accessible name where the short label would be ambiguous (a member's card). */
  label?: string;
}) {
  const { info } = request;
  return (
    <button
      type="button"
      className={info.destructive ? 'danger-outline' : undefined}
      disabled={operations.inFlight || !operations.mayOperate}
      title={operations.mayOperate ? info.effect : operations.readOnlyReason}
      aria-label={label === info.label ? undefined : label}
      data-fleet-operation={info.action}
      onClick={() => operations.ask(request)}
    >
      {info.label}
    </button>
  );
}

/** The release's operations that apply now, with how the last one went and the confirmation of the next. */
export function FleetOperationBar({
  operations,
  actions,
  currentWave,
  defaultContainer,
}: {
  operations: FleetOperations;
  actions: readonly ReleaseAction[];
  /** The wave `approveWave` is for. */
  currentWave: string | undefined;
  /** The container the release dialog proposes. */
  defaultContainer: string;
}) {
  const { outcome } = operations;
  return (
    <section className="operations-bar" aria-label="Fleet operations">
      <div className="button-row">
        {actions.map((action) => (
          <FleetOperationButton
            key={action}
            operations={operations}
            request={{ info: FLEET_ACTIONS[action], wave: action === 'approveWave' ? currentWave : undefined }}
          />
        ))}
      </div>
      <p className="operation-outcome" role="status" aria-live="polite">
        {operations.inFlight ? 'Sending…' : null}
        {outcome?.kind === 'sent' ? `${outcome.label}: release #${outcome.release.number} is ${outcome.release.phase}.` : null}
        {outcome?.kind === 'failed' ? (
          <span className="error">
            {outcome.label} failed: {outcome.message} <code>{outcome.code}</code>
          </span>
        ) : null}
        {!operations.mayOperate && outcome === undefined ? <span className="muted">Read-only: {operations.readOnlyReason}</span> : null}
      </p>
      {operations.confirming ? (
        <FleetOperationDialog
          key={`${operations.confirming.info.action}/${operations.confirming.cluster ?? ''}`}
          operations={operations}
          request={operations.confirming}
          defaultContainer={defaultContainer}
        />
      ) : null}
    </section>
  );
}

function dialogTitle({ info, wave, cluster }: FleetOperationRequest, fleetRollout: string): string {
  if (cluster !== undefined) return `${info.label} ${cluster} in ${fleetRollout}?`;
  if (wave !== undefined) return `${info.label} ${wave} of ${fleetRollout}?`;
  return `${info.label} ${fleetRollout}?`;
}

const MEMBER_ACTIONS: readonly MemberAction[] = ['skipMember', 'retryMember'];

/** The confirmation of one operation, with the fields it needs: the new image, whether to roll back. */
function FleetOperationDialog({
  operations,
  request,
  defaultContainer,
}: {
  operations: FleetOperations;
  request: FleetOperationRequest;
  defaultContainer: string;
}) {
  const [image, setImage] = useState('');
  const [container, setContainer] = useState(defaultContainer);
  const [rollback, setRollback] = useState(false);
  const { action } = request.info;
  const fields = (): Record<string, unknown> => {
    if (action === 'release') return { image: image.trim(), container: container.trim() };
    if (action === 'abort') return { rollback };
    return {};
  };
  return (
    <ConfirmDialog
      title={dialogTitle(request, operations.fleetRollout)}
      effect={request.info.effect}
      confirmLabel={request.info.label}
      destructive={request.info.destructive || (action === 'abort' && rollback)}
      reasonRequired={(MEMBER_ACTIONS as readonly string[]).includes(action)}
      onConfirm={(reason) => void operations.send(request, reason, fields())}
      onCancel={operations.cancel}
    >
      {action === 'release' ? (
        <>
          <label htmlFor="release-image">Image</label>
          <input
            id="release-image"
            value={image}
            required
            pattern=".*\S.*"
            placeholder="registry.example/shop/checkout:2.1.0"
            spellCheck={false}
            onChange={(event) => setImage(event.target.value)}
          />
          <label htmlFor="release-container">Container</label>
          <input
            id="release-container"
            value={container}
            required
            pattern=".*\S.*"
            spellCheck={false}
            onChange={(event) => setContainer(event.target.value)}
          />
        </>
      ) : null}
      {action === 'abort' ? (
        <label className="checkbox">
          <input type="checkbox" checked={rollback} onChange={(event) => setRollback(event.target.checked)} /> Roll back every changed
          member to its former template
        </label>
      ) : null}
    </ConfirmDialog>
  );
}
