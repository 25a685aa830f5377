import { lazy, Suspense, useCallback, useState } from 'react';
import { AnalysisRuns } from '../analysis/analysis-runs.js';
import { ROLLOUT_CHANGED, ROLLOUT_DETAIL, type RolloutRef } from '../api/documents.js';
import { useGraphqlQuery, useInterval, useSubscription } from '../api/use-graphql.js';
import { AuditTimeline } from '../audit/audit-timeline.js';
import { Experiments } from '../experiments/experiments-section.js';
import { FreezeBanner } from '../freezes/freeze-banner.js';
import { NotificationDeliveries } from '../notifications/notification-deliveries.js';
import { Link } from '../routing/router.js';
import { PhaseBadge } from '../shared/phase-badge.js';
import { RequestError } from '../shared/request-error.js';
import { useSession } from '../session/session-context.js';
import { TrafficRoutingCard } from '../traffic/traffic-routing-card.js';
import { OperationBar, type OperationRequest } from './operation-bar.js';
import { OperationHistory, ReleaseHistory } from './history-tables.js';
import { PodsCard } from './pods-card.js';
import { ReplicaSetsCard } from './replica-sets-card.js';
import { RolloutEventsCard } from './rollout-events-card.js';
import { RolloutSummaryCard } from './rollout-summary.js';
import { StepsCard } from './steps-card.js';

const PENDING_OPERATION_REFRESH_MS = 2_000;

// The YAML and diff libraries load with the first rollout page, not with the dashboard.
const ManifestCard = lazy(async () => ({ default: (await import('../manifest/manifest-card.js')).ManifestCard }));

const ManifestPlaceholder = () => (
  <section className="card" aria-busy="true">
    <h2>Manifest</h2>
  </section>
);

/** One rollout: its state, steps, revisions, analysis, experiments, operations and audit, following every change live. */
export function RolloutPage({ rolloutRef }: { rolloutRef: RolloutRef }) {
  const query = useGraphqlQuery(ROLLOUT_DETAIL, { ...rolloutRef, rollout: rolloutRef });
  const { reload } = query;
  const [changeCount, setChangeCount] = useState(0);
  const [operationRequest, setOperationRequest] = useState<OperationRequest>();
  const { mayOperate } = useSession();
  const rollBack = useCallback((revision: number) => setOperationRequest({ kind: 'roll-back', revision }), []);
  const onChanged = useCallback(() => {
    reload();
    setChangeCount((count) => count + 1);
  }, [reload]);
  useSubscription(ROLLOUT_CHANGED, { ...rolloutRef }, onChanged);
  // A refused operation changes nothing else, so no event announces it.
  useInterval(
    reload,
    PENDING_OPERATION_REFRESH_MS,
    query.data?.rolloutOperations.some((operation) => operation.state === 'Pending') ?? false,
  );

  const title = (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <Link to={{ page: 'overview' }}>Overview</Link> / {rolloutRef.cluster} / {rolloutRef.namespace} /
    </nav>
  );
  if (!query.data) {
    return (
      <>
        {title}
        <h1>{rolloutRef.name}</h1>
        {query.error ? <RequestError error={query.error} what="the rollout" /> : <p>Loading…</p>}
      </>
    );
  }
  const { rollout, cluster, rolloutRevisions, rolloutOperations } = query.data;
  return (
    <>
      {title}
      <div className="page-title">
        <h1>{rollout.name}</h1>
        <span data-testid="rollout-phase">
          <PhaseBadge phase={rollout.phase} />
        </span>
        {rollout.message ? <span className="phase-message">{rollout.message}</span> : null}
      </div>
      <RequestError error={query.error} what="the latest state" />
      {rollout.freeze ? <FreezeBanner period={rollout.freeze} subject="the revision" /> : null}
      <OperationBar
        rollout={rolloutRef}
        progress={rollout.progress}
        operations={rolloutOperations}
        revisionCount={rolloutRevisions.length}
        request={operationRequest}
        onRequest={setOperationRequest}
        onSent={onChanged}
      />
      <div className="columns">
        <RolloutSummaryCard rollout={rollout} revisions={rolloutRevisions} />
        <StepsCard rollout={rollout} />
      </div>
      <ReplicaSetsCard rollout={rollout} cluster={cluster} />
      <PodsCard rollout={rollout} />
      <RolloutEventsCard rollout={rollout} />
      <TrafficRoutingCard rollout={rolloutRef} changeCount={changeCount} />
      <ReleaseHistory revisions={rolloutRevisions} rolloutName={rollout.name} onRollBack={mayOperate ? rollBack : undefined} />
      <Suspense fallback={<ManifestPlaceholder />}>
        <ManifestCard rollout={rolloutRef} changeCount={changeCount} />
      </Suspense>
      <AnalysisRuns rollout={rolloutRef} changeCount={changeCount} />
      <Experiments rollout={rolloutRef} revisions={rolloutRevisions} changeCount={changeCount} />
      <NotificationDeliveries rollout={rolloutRef} changeCount={changeCount} />
      <div className="columns">
        <OperationHistory operations={rolloutOperations} />
        <AuditTimeline targetName={`${rollout.cluster}/${rollout.namespace}/${rollout.name}`} title="Audit timeline" />
      </div>
    </>
  );
}
