import { useLiveState } from '../api/use-graphql.js';

const TEXT = { live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…' } as const;

/** Whether the page is receiving live updates. */
export function LiveIndicator() {
  const state = useLiveState();
  return (
    <span className={`live live-${state}`} role="status" aria-live="polite" data-live-state={state}>
      <span aria-hidden="true">{state === 'live' ? '●' : '○'}</span> {TEXT[state]}
    </span>
  );
}
