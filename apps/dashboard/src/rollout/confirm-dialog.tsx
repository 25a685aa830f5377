import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { OperationActionInfo } from './operation-actions.js';

/** A modal that asks before an operation is sent, with an optional reason for the audit record. */
export function ConfirmDialog({
  action,
  rolloutName,
  onConfirm,
  onCancel,
}: {
  action: OperationActionInfo;
  rolloutName: string;
  onConfirm: (reason: string | undefined) => void;
  onCancel: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onConfirm(reason.trim() === '' ? undefined : reason.trim());
  };

  return (
    <dialog ref={dialog} className="confirm" aria-labelledby="confirm-title" aria-describedby="confirm-effect" onCancel={onCancel}>
      <form method="dialog" onSubmit={submit}>
        <h2 id="confirm-title">
          {action.label} {rolloutName}?
        </h2>
        <p id="confirm-effect">{action.effect}</p>
        <label htmlFor="operation-reason">Reason (kept in the audit record, optional)</label>
        <input id="operation-reason" value={reason} onChange={(event) => setReason(event.target.value)} />
        <div className="dialog-buttons">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className={action.destructive ? 'danger' : 'primary'} autoFocus>
            {action.label}
          </button>
        </div>
      </form>
    </dialog>
  );
}
