import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FleetMetricsStore, type RolloutMetricRow, type SqlSession, type SqlText } from '@flotilla/stores';
import { registerControllerGauges } from './controller-gauges.js';

const ROLLOUT: RolloutMetricRow = {
  organization: 'shop',
  cluster: 'eu-1',
  namespace: 'web',
  name: 'checkout',
  strategy: { blueGreen: { activeService: 'active' } },
  conditions: [{ type: 'Progressing', reason: 'NewReplicaSetAvailable' }],
  desiredReplicas: 3,
  replicas: 3,
  availableReplicas: 3,
  updatedReplicas: 3,
};

/** A session answering the rollouts' statement with one rollout and the others with nothing, or failing them all. */
function session(fail: boolean): SqlSession & { statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    query<Row extends object>(statement: SqlText): Promise<Row[]> {
      const name = typeof statement === 'string' ? statement : statement.name;
      statements.push(name);
      if (fail) return Promise.reject(new Error('database away'));
      return Promise.resolve((name === 'metrics-rollouts' ? [ROLLOUT] : []) as unknown as Row[]);
    },
  };
}

describe('registerControllerGauges', () => {
  it('reads each family once for all its gauges and keeps it for the next scrape', async () => {
    const registry = new Registry();
    const sql = session(false);
    registerControllerGauges(registry, new FleetMetricsStore(sql));

    const text = await registry.metrics();
    await registry.metrics();

    expect(text).toContain(
      'rollout_info{namespace="web",name="checkout",cluster="eu-1",organization="shop",strategy="blueGreen",traffic_router="",phase="Completed"} 1',
    );
    expect(text).toContain(
      'rollout_phase{namespace="web",name="checkout",cluster="eu-1",organization="shop",strategy="blueGreen",phase="Completed"} 1',
    );
    expect(sql.statements.sort()).toEqual(['metrics-analysis-runs', 'metrics-experiments', 'metrics-rollouts']);
  });

  it('leaves out a family it cannot read, counts it, and still serves the scrape', async () => {
    const registry = new Registry();
    registerControllerGauges(registry, new FleetMetricsStore(session(true)));

    const text = await registry.metrics();
    const after = await registry.metrics();

    expect(text).not.toMatch(/^rollout_info\{/m);
    // The counter is read beside the gauges, so a scrape shows the failures of those before it.
    expect(after).not.toMatch(/^rollout_info\{/m);
    expect(after).toContain('flotilla_metrics_collection_failures_total{family="rollouts"} 1');
    expect(after).toContain('flotilla_metrics_collection_failures_total{family="experiments"} 1');
  });
});
