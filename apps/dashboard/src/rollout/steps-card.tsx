import type { RolloutDetail } from '../api/documents.js';
import { describeStep, stepState, type RolloutFacts } from './rollout-facts.js';

const STATE_TEXT = { done: 'done', current: 'current', pending: 'to do' } as const;
const STATE_SYMBOL = { done: '✔', current: '▶', pending: '○' } as const;

/** The canary steps, the current one marked in words and shape as well as colour. */
export function StepsCard({ rollout, facts }: { rollout: RolloutDetail; facts: RolloutFacts }) {
  if (facts.strategy === 'BlueGreen') {
    return (
      <section className="card" aria-labelledby="steps-title">
        <h2 id="steps-title">Blue-green</h2>
        <dl className="facts">
          <div>
            <dt>Active</dt>
            <dd>
              <code>{facts.activeHash ?? '—'}</code>
            </dd>
          </div>
          <div>
            <dt>Preview</dt>
            <dd>
              <code>{facts.previewHash ?? '—'}</code>
            </dd>
          </div>
        </dl>
      </section>
    );
  }
  return (
    <section className="card" aria-labelledby="steps-title">
      <h2 id="steps-title">Steps</h2>
      {facts.steps.length === 0 ? <p className="muted">No steps: the new revision goes straight to 100%.</p> : null}
      <ol className="steps" aria-label={`Steps of ${rollout.name}`}>
        {facts.steps.map((step, index) => {
          const state = stepState(facts, index);
          return (
            <li
              key={index}
              className={`step step-${state}`}
              aria-current={state === 'current' ? 'step' : undefined}
              data-step-state={state}
            >
              <span className="step-symbol" aria-hidden="true">
                {STATE_SYMBOL[state]}
              </span>
              <span className="step-index">{index + 1}.</span>
              <span className="step-text">{describeStep(step)}</span>
              <span className="step-state">{STATE_TEXT[state]}</span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
