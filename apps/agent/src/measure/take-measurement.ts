import type { SecretKeyRef } from '@flotilla/argo-spec';
import { measureMetric, redactSecrets, type HttpTransport, type JobRunner, type SecretLookup } from '@flotilla/metric-providers';
import type { MeasurementOutcome, MeasurementRequest } from '@flotilla/protocol';
import type { KubeClient } from '../kube/kube-client.js';
import { SecretReader, type SecretData } from './cluster-secrets.js';
import { resolveSecretMarkers, secretReferencesIn } from './secret-markers.js';

/** The providers' HTTP transport and Job runner, for the loader that reaches the providers only through this module. */
export { createHttpTransport } from '@flotilla/metric-providers';
export { createKubernetesJobRunner } from '@flotilla/metric-providers/job';

export interface MeasurementDependencies {
  kube: KubeClient;
  http: HttpTransport;
  jobs: JobRunner;
  /** Where provider credential Secrets (`datadog`, `newrelic`, …) are looked up first. */
  agentNamespace: string;
}

export type TakeMeasurement = (request: MeasurementRequest, signal: AbortSignal) => Promise<MeasurementOutcome>;

const notFound = (reference: SecretKeyRef, namespace: string): string =>
  `secret ${reference.name}/${reference.key} not found in namespace ${namespace}`;

/** Reads the Secret keys the markers name, once per Secret; the first key that is missing is returned instead. */
async function readReferencedKeys(
  secrets: SecretReader,
  namespace: string,
  references: SecretKeyRef[],
): Promise<Map<string, SecretData> | { missing: SecretKeyRef }> {
  const byName = new Map<string, SecretData>();
  for (const reference of references) {
    if (!byName.has(reference.name)) {
      const data = await secrets.read(namespace, reference.name);
      if (data === undefined) return { missing: reference };
      byName.set(reference.name, data);
    }
    if (byName.get(reference.name)?.[reference.key] === undefined) return { missing: reference };
  }
  return byName;
}

/**
 * Provider credentials are looked up in the agent's own namespace, where the cluster's operators keep them, and
 * in the run's namespace when the agent's has no Secret of that name; a lookup confined to the run's namespace reads only there.
 */
function credentialLookup(secrets: SecretReader, agentNamespace: string, runNamespace: string): SecretLookup {
  return async (name, options) => {
    if (options?.runNamespaceOnly) return secrets.read(runNamespace, name);
    return (
      (await secrets.read(agentNamespace, name)) ?? (runNamespace === agentNamespace ? undefined : await secrets.read(runNamespace, name))
    );
  };
}

/** Makes sure the outcome travels as JSON exactly as the control plane will read it. */
function asSentOnTheWire(outcome: MeasurementOutcome): MeasurementOutcome {
  try {
    return JSON.parse(JSON.stringify(outcome)) as MeasurementOutcome;
  } catch (error) {
    return { ok: false, error: `the measured value cannot be sent as JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * Takes one measurement inside the cluster: replaces the secret markers of the metric with the values of the
 * Secrets in the run's namespace, measures with the metric's provider, and answers with an outcome from which every
 * secret value read on the way is redacted. Never throws: a missing Secret or a failed query is an error outcome.
 * @example
 * const take = createMeasurementTaker({ kube, http: createHttpTransport(), jobs, agentNamespace: 'flotilla-system' });
 * await take({ requestId: 'r1', run: { name: 'web-7f9c-1', namespace: 'shop', uid: 'u1' }, measurementIndex: 1, timeoutSeconds: 30,
 *   metric: { name: 'up', provider: { prometheus: { address: 'http://prometheus:9090', query: 'up' } } } }, signal)
 * // { ok: true, value: [1], rawValue: '[1]', metadata: { ResolvedPrometheusQuery: 'up' } }
 */
export function createMeasurementTaker(dependencies: MeasurementDependencies): TakeMeasurement {
  return async (request, signal) => {
    const secrets = new SecretReader(dependencies.kube);
    const { namespace } = request.run;
    let keys: Awaited<ReturnType<typeof readReferencedKeys>>;
    try {
      keys = await readReferencedKeys(secrets, namespace, secretReferencesIn(request.metric));
    } catch (error) {
      return {
        ok: false,
        error: `cannot read secrets in namespace ${namespace}: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    if (!(keys instanceof Map)) return { ok: false, error: notFound(keys.missing, namespace) };
    const resolvedKeys = keys;
    const metric = resolveSecretMarkers(request.metric, (reference) => resolvedKeys.get(reference.name)?.[reference.key]);
    if ('missing' in metric) return { ok: false, error: notFound(metric.missing, namespace) };
    const outcome = await measureMetric(metric.resolved, {
      http: dependencies.http,
      jobs: dependencies.jobs,
      secrets: credentialLookup(secrets, dependencies.agentNamespace, namespace),
      run: request.run,
      measurementIndex: request.measurementIndex,
      signal,
    });
    return asSentOnTheWire(redactSecrets(outcome, secrets.revealed));
  };
}
