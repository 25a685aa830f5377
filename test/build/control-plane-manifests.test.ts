import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface Container {
  name: string;
  image: string;
  ports?: Array<{ name: string; containerPort: number }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  env?: Array<{ name: string; value?: string }>;
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[] } };
}
interface PodSpec {
  serviceAccountName?: string;
  terminationGracePeriodSeconds?: number;
  containers: Container[];
  securityContext?: { runAsNonRoot?: boolean };
  topologySpreadConstraints?: Array<{ topologyKey: string; whenUnsatisfiable: string }>;
}
interface Resource {
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: {
    replicas?: number;
    minAvailable?: number;
    selector?: { matchLabels?: Record<string, string> };
    podSelector?: { matchLabels?: Record<string, string> };
    template?: { metadata?: { labels?: Record<string, string> }; spec: PodSpec };
    tls?: Array<{ secretName: string }>;
    ports?: Array<{ name: string; targetPort: string }>;
    endpoints?: Array<{ port: string; path: string }>;
    ingress?: Array<{ from: Array<{ namespaceSelector?: { matchLabels?: Record<string, string> } }>; ports: Array<{ port: string }> }>;
  };
}

function render(overlay: string): Resource[] {
  const output = execFileSync('kubectl', ['kustomize', `deploy/control-plane/overlays/${overlay}`], { cwd: root, encoding: 'utf8' });
  return parseAllDocuments(output).map((document) => document.toJS() as Resource);
}

/** Every name of a Secret the resource refers to: env and envFrom, volumes, TLS. */
function secretsReferenced(resource: Resource): string[] {
  const names: string[] = [];
  const visit = (value: unknown, key?: string): void => {
    if (Array.isArray(value)) return value.forEach((entry) => visit(entry));
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    if ((key === 'secretKeyRef' || key === 'secretRef') && typeof record.name === 'string') names.push(record.name);
    if (key === 'secret' && typeof record.secretName === 'string') names.push(record.secretName);
    for (const [child, entry] of Object.entries(record)) visit(entry, child);
  };
  visit(resource.spec);
  return [...names, ...(resource.spec?.tls ?? []).map((entry) => entry.secretName)];
}

const LONG_RUNNING = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

describe.each(['single', 'ha'])('deploy/control-plane/overlays/%s', (overlay) => {
  const resources = render(overlay);
  const workloads = resources.filter((resource) => LONG_RUNNING.has(resource.kind) || resource.kind === 'Job');

  it('runs the API, the worker and the migration Job', () => {
    expect(workloads.map((workload) => `${workload.kind}/${workload.metadata.name}`).sort()).toEqual([
      'Deployment/flotilla-api',
      'Deployment/flotilla-worker',
      'Job/flotilla-migrate',
    ]);
  });

  it.each(['flotilla-api', 'flotilla-worker', 'flotilla-migrate'])('%s runs pinned, unprivileged, read-only and bounded', (name) => {
    const workload = workloads.find((resource) => resource.metadata.name === name);
    const pod = workload?.spec?.template?.spec;
    expect(pod?.securityContext?.runAsNonRoot).toBe(true);
    for (const container of pod?.containers ?? []) {
      expect(container.image).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(container.image).not.toMatch(/:latest$/);
      expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      expect(container.securityContext?.capabilities?.drop).toContain('ALL');
      expect(Object.keys(container.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
      expect(Object.keys(container.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
      if (workload && LONG_RUNNING.has(workload.kind)) {
        expect(container.readinessProbe, `${name} readiness`).toMatchObject({ httpGet: { path: '/readyz' } });
        expect(container.livenessProbe, `${name} liveness`).toMatchObject({ httpGet: { path: '/healthz' } });
      }
    }
  });

  // docs/configuration.md: the API drains for as long as the ingress controller takes to drop a terminating pod.
  it("drains the API before it stops listening, within its grace period and the pod's", () => {
    const pod = workloads.find((workload) => workload.metadata.name === 'flotilla-api')?.spec?.template?.spec;
    const setting = (name: string): number | undefined => {
      const value = pod?.containers[0]?.env?.find((variable) => variable.name === name)?.value;
      return value === undefined ? undefined : Number(value);
    };
    const drain = setting('SHUTDOWN_DRAIN_SECONDS') ?? 0;
    const grace = setting('SHUTDOWN_GRACE_SECONDS') ?? 20;
    expect(drain).toBeGreaterThan(0);
    expect(drain).toBeLessThan(grace);
    // The drain is part of the grace period (apps/api/src/main.ts).
    expect(pod?.terminationGracePeriodSeconds).toBeGreaterThan(grace);
  });

  // deploy/README.md installs in two steps, `kubectl apply -l app.kubernetes.io/component=migrations` first.
  it('labels the migration Job and everything its pod runs with, so that it can be applied first on its own', () => {
    const selected = resources.filter((resource) => resource.metadata.labels?.['app.kubernetes.io/component'] === 'migrations');
    const job = selected.find((resource) => resource.kind === 'Job');
    const podLabels = job?.spec?.template?.metadata?.labels ?? {};
    const policies = selected.filter(
      (resource) =>
        resource.kind === 'NetworkPolicy' &&
        Object.entries(resource.spec?.podSelector?.matchLabels ?? {}).every(([key, value]) => podLabels[key] === value),
    );
    expect(policies.map((policy) => policy.metadata.name)).toEqual(['flotilla-migrate']);
    expect(selected.map((resource) => `${resource.kind}/${resource.metadata.name}`).sort()).toEqual([
      'Job/flotilla-migrate',
      'NetworkPolicy/flotilla-migrate',
      `ServiceAccount/${job?.spec?.template?.spec.serviceAccountName ?? '(none)'}`,
    ]);
  });

  it('defines no Secret: every one referenced is created beside the manifests', () => {
    const referenced = new Set(resources.flatMap(secretsReferenced));
    expect([...referenced].sort()).toEqual(['flotilla-audit-signing-key', 'flotilla-database', 'flotilla-redis', 'flotilla-tls']);
    expect(resources.filter((resource) => resource.kind === 'Secret')).toEqual([]);
  });

  it('keeps agent and subscription WebSockets open through ingress-nginx', () => {
    const ingress = resources.find((resource) => resource.kind === 'Ingress');
    expect(ingress?.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
    });
  });

  it('serves metrics on a port of their own, scraped by the ServiceMonitor and reachable from the monitoring namespace only', () => {
    const monitor = resources.find((resource) => resource.kind === 'ServiceMonitor');
    expect(monitor?.spec?.endpoints).toEqual([expect.objectContaining({ port: 'metrics', path: '/metrics' })]);
    for (const name of ['flotilla-api', 'flotilla-worker']) {
      const deployment = workloads.find((workload) => workload.metadata.name === name);
      const ports = deployment?.spec?.template?.spec.containers.flatMap((container) => container.ports ?? []) ?? [];
      expect(
        ports.map((port) => port.name),
        `${name} container ports`,
      ).toContain('metrics');
      const service = resources.find((resource) => resource.kind === 'Service' && resource.metadata.name === name);
      expect(service?.spec?.ports, `${name} Service`).toContainEqual(expect.objectContaining({ name: 'metrics', targetPort: 'metrics' }));
      const policy = resources.find(
        (resource) => resource.kind === 'NetworkPolicy' && resource.spec?.podSelector?.matchLabels?.['app.kubernetes.io/name'] === name,
      );
      const admitted = (policy?.spec?.ingress ?? []).flatMap((rule) =>
        rule.from.flatMap((source) =>
          rule.ports.map((port) => `${source.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] ?? '?'}→${port.port}`),
        ),
      );
      expect(
        admitted.filter((entry) => entry.startsWith('monitoring→')),
        `${name} NetworkPolicy`,
      ).toEqual(['monitoring→metrics']);
      expect(
        admitted.filter((entry) => entry.endsWith('→metrics')),
        `${name} NetworkPolicy`,
      ).toEqual(['monitoring→metrics']);
    }
  });

  it('guards every pod with a NetworkPolicy and every Deployment with a PodDisruptionBudget', () => {
    const policies = resources.filter((resource) => resource.kind === 'NetworkPolicy');
    const denyAll = policies.find(
      (policy) => policy.spec?.podSelector && Object.keys(policy.spec.podSelector.matchLabels ?? {}).length === 0,
    );
    expect(denyAll?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const budgets = resources.filter((resource) => resource.kind === 'PodDisruptionBudget');
    for (const deployment of workloads.filter((workload) => workload.kind === 'Deployment')) {
      const labels = deployment.spec?.template?.metadata?.labels ?? {};
      const budget = budgets.find((candidate) =>
        Object.entries(candidate.spec?.selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value),
      );
      expect(budget, `PodDisruptionBudget of ${deployment.metadata.name}`).toBeDefined();
      const policy = policies.find(
        (candidate) => candidate.spec?.podSelector?.matchLabels?.['app.kubernetes.io/name'] === deployment.metadata.name,
      );
      expect(policy, `NetworkPolicy of ${deployment.metadata.name}`).toBeDefined();
      if (overlay === 'ha') {
        expect(deployment.spec?.replicas).toBeGreaterThanOrEqual(2);
        expect(budget?.spec?.minAvailable).toBe(1);
        expect(deployment.spec?.template?.spec.topologySpreadConstraints).toContainEqual(
          expect.objectContaining({ topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule' }),
        );
      }
    }
  });
});
