import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';

/**
 * A modal that asks before an operation is sent, with a reason for the audit record (optional unless
 * `reasonRequired`; none when `askReason` is false) and whatever fields the operation needs besides (`children`),
 * checked by the browser on submit.
 */
export function ConfirmDialog({
  title,
  effect,
  confirmLabel,
  destructive,
  reasonRequired = false,
  askReason = true,
  children,
  onConfirm,
  onCancel,
}: {
  title: string;
  effect: string;
  confirmLabel: string;
  destructive: boolean;
  reasonRequired?: boolean;
  askReason?: boolean;
  children?: ReactNode;
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
        <h2 id="confirm-title">{title}</h2>
        <p id="confirm-effect">{effect}</p>
        {children}
        {askReason ? (
          <>
            <label htmlFor="operation-reason">
              {reasonRequired ? 'Reason (kept in the audit record)' : 'Reason (kept in the audit record, optional)'}
            </label>
            <input
              id="operation-reason"
              value={reason}
              required={reasonRequired}
              pattern={reasonRequired ? '.*\\S.*' : undefined}
              onChange={(event) => setReason(event.target.value)}
            />
          </>
        ) : null}
        <div className="dialog-buttons">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className={destructive ? 'danger' : 'primary'} autoFocus>
            {confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
