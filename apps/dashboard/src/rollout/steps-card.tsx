import type { RolloutDetail } from '../api/documents.js';

const PENDING = { text: 'to do', symbol: '○' };
/** How each step state the API names (`done`, `current`, `pending`) reads; a state added later reads as pending. */
const STATE_LOOKS: Record<string, { text: string; symbol: string } | undefined> = {
  done: { text: 'done', symbol: '✔' },
  current: { text: 'current', symbol: '▶' },
  pending: PENDING,
};

/** The canary steps, the current one marked in words and shape as well as colour. */
export function StepsCard({ rollout }: { rollout: RolloutDetail }) {
  const { steps, podTemplateHashes } = rollout.progress;
  if (rollout.strategy === 'BlueGreen') {
    return (
      <section className="card" aria-labelledby="steps-title">
        <h2 id="steps-title">Blue-green</h2>
        <dl className="facts">
          <div>
            <dt>Active</dt>
            <dd>
              <code>{podTemplateHashes.active ?? '—'}</code>
            </dd>
          </div>
          <div>
            <dt>Preview</dt>
            <dd>
              <code>{podTemplateHashes.preview ?? '—'}</code>
            </dd>
          </div>
        </dl>
      </section>
    );
  }
  return (
    <section className="card" aria-labelledby="steps-title">
      <h2 id="steps-title">Steps</h2>
      {steps.length === 0 ? <p className="muted">No steps: the new revision goes straight to 100%.</p> : null}
      <ol className="steps" aria-label={`Steps of ${rollout.name}`}>
        {steps.map(({ index, description, state }) => (
          <li key={index} className={`step step-${state}`} aria-current={state === 'current' ? 'step' : undefined} data-step-state={state}>
            <span className="step-symbol" aria-hidden="true">
              {(STATE_LOOKS[state] ?? PENDING).symbol}
            </span>
            <span className="step-index">{index + 1}.</span>
            <span className="step-text">{description}</span>
            <span className="step-state">{(STATE_LOOKS[state] ?? PENDING).text}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
