import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FleetReconcileQueue } from '../../libs/queues/src/fleet-reconcile-queue.js';
import { ReconcileQueue } from '../../libs/queues/src/reconcile-queue.js';
import type { FleetRolloutSpec } from '../../libs/fleet-engine/src/index.js';
import { graphql, graphqlData } from '../support/graphql-client.js';
import { canaryRollout, toYaml, type RolloutManifest } from '../support/manifests.js';
import { apiForThisFile, type TestOrganization } from '../support/test-api.js';

const { api, org } = await apiForThisFile();

// No worker runs here: the jobs the API asks for after each commit stay queued under this API's prefix.
const redis = new Redis(inject('redisUrl'));
const queues = {
  reconcile: new ReconcileQueue(redis, api.environment.REDIS_PREFIX!),
  fleet: new FleetReconcileQueue(redis, api.environment.REDIS_PREFIX!),
};
afterAll(async () => {
  await Promise.all([queues.reconcile.close(), queues.fleet.close()]);
  await redis.quit();
});

const CLUSTERS = { staging: { env: 'staging' }, 'prod-eu': { env: 'prod' }, 'prod-us': { env: 'prod' } } as const;
type ClusterName = keyof typeof CLUSTERS;

/** The first wave waits for a manual approval, so that a release stays in it while the operations are tried. */
const FLEET_SPEC: FleetRolloutSpec = {
  rollout: { namespace: 'shop', name: 'checkout' },
  waves: [
    { name: 'staging', clusterSelector: { matchLabels: { env: 'staging' } }, approval: 'manual' },
    { name: 'production', maxParallel: 1 },
  ],
};

const RELEASE_FIELDS = `id number phase message reason startedBy supersededBy currentWave change { container image template }
  waves { name phase approvedBy approvalReason members { cluster state } }`;
const RELEASE_FLEET = `mutation($fleetRollout: String!, $image: String, $container: String, $template: JSON, $reason: String) {
  releaseFleet(fleetRollout: $fleetRollout, image: $image, container: $container, template: $template, reason: $reason) { ${RELEASE_FIELDS} }
}`;
const APPLY =
  'mutation($cluster: String!, $yaml: String!) { applyManifests(cluster: $cluster, namespace: "shop", yaml: $yaml) { action } }';
const ROLLOUT_SPEC = 'query($cluster: String!) { rollout(cluster: $cluster, namespace: "shop", name: "checkout") { spec } }';
const SET_IMAGE = `mutation($cluster: String!, $image: String!) {
  setImage(rollout: { cluster: $cluster, namespace: "shop", name: "checkout" }, container: "checkout", image: $image) { id }
}`;

interface ReleaseView {
  id: string;
  number: number;
  phase: string;
  message: string;
  reason: string | null;
  startedBy: string;
  supersededBy: number | null;
  change: { container: string | null; image: string | null; template: unknown };
  waves: {
    name: string;
    phase: string;
    approvedBy: string | null;
    approvalReason: string | null;
    members: { cluster: string; state: string }[];
  }[];
}

/** Each operation with its mutation text; `$fleetRollout`, and `$wave` / `$cluster` where it takes one. */
const OPERATIONS = {
  pauseFleetRelease:
    'mutation($fleetRollout: String!, $reason: String) { pauseFleetRelease(fleetRollout: $fleetRollout, reason: $reason) { phase } }',
  resumeFleetRelease:
    'mutation($fleetRollout: String!, $reason: String) { resumeFleetRelease(fleetRollout: $fleetRollout, reason: $reason) { phase } }',
  abortFleetRelease:
    'mutation($fleetRollout: String!, $reason: String) { abortFleetRelease(fleetRollout: $fleetRollout, reason: $reason) { phase } }',
  approveWave:
    'mutation($fleetRollout: String!, $wave: String, $reason: String) { approveWave(fleetRollout: $fleetRollout, wave: $wave, reason: $reason) { phase } }',
  retryFleetRelease:
    'mutation($fleetRollout: String!, $reason: String) { retryFleetRelease(fleetRollout: $fleetRollout, reason: $reason) { phase } }',
  promoteWave: 'mutation($fleetRollout: String!, $reason: String) { promoteWave(fleetRollout: $fleetRollout, reason: $reason) { phase } }',
  skipFleetMember: `mutation($fleetRollout: String!, $cluster: String!) {
    skipFleetMember(fleetRollout: $fleetRollout, cluster: $cluster, reason: "not needed there") { phase } }`,
  retryFleetMember: `mutation($fleetRollout: String!, $cluster: String!) {
    retryFleetMember(fleetRollout: $fleetRollout, cluster: $cluster, reason: "try again") { phase } }`,
} as const;
type OperationName = keyof typeof OPERATIONS;

const releaseFleet = (variables: Record<string, unknown>, token = org.tokens.deployer) =>
  graphql<{ releaseFleet: ReleaseView }>(api.url, token, RELEASE_FLEET, { fleetRollout: 'checkout', ...variables });

const operate = (name: OperationName, variables: Record<string, unknown> = {}, token = org.tokens.deployer) =>
  graphql<Record<string, { phase: string }>>(api.url, token, OPERATIONS[name], { fleetRollout: 'checkout', ...variables });

async function templateImage(cluster: ClusterName): Promise<string> {
  const read = await graphqlData<{ rollout: { spec: RolloutManifest['spec'] } }>(api.url, org.tokens.viewer, ROLLOUT_SPEC, { cluster });
  return read.rollout.spec.template.spec.containers[0].image as string;
}

async function storedRelease(number: number): Promise<{ phase: string; supersededById: string | null; id: string }> {
  return api.database.fleetRelease.findFirstOrThrow({
    where: { organizationId: org.id, number, fleetRollout: { name: 'checkout' } },
    select: { id: true, phase: true, supersededById: true },
  });
}

const releaseCount = () => api.database.fleetRelease.count({ where: { organizationId: org.id } });

const auditActions = async (organization: TestOrganization = org): Promise<{ action: string; reason: string | null; after: unknown }[]> =>
  api.database.auditEvent.findMany({
    where: { organizationId: organization.id },
    orderBy: { sequence: 'asc' },
    select: { action: true, reason: true, after: true },
  });

const APPLY_FLEET_ROLLOUT = 'mutation($yaml: String!) { applyManifests(yaml: $yaml) { action } }';
const FLEET_ROLLOUT_YAML = toYaml({
  apiVersion: 'flotilla.io/v1alpha1',
  kind: 'FleetRollout',
  metadata: { name: 'checkout' },
  spec: FLEET_SPEC,
});

beforeAll(async () => {
  for (const [name, labels] of Object.entries(CLUSTERS)) {
    await graphqlData(
      api.url,
      org.tokens.admin,
      'mutation($name: String!, $labels: JSON) { registerCluster(name: $name, labels: $labels) { agentToken } }',
      {
        name,
        labels,
      },
    );
    await graphqlData(api.url, org.tokens.deployer, APPLY, { cluster: name, yaml: toYaml(canaryRollout('checkout', 'shop/checkout:1')) });
  }
  await graphqlData(api.url, org.tokens.admin, APPLY_FLEET_ROLLOUT, { yaml: FLEET_ROLLOUT_YAML });
});

describe('releaseFleet refuses what it cannot release, naming the argument and storing nothing', () => {
  const template = (overrides: Record<string, unknown> = {}) => ({
    metadata: { labels: { app: 'checkout' } },
    spec: { containers: [{ name: 'checkout', image: 'shop/checkout:2' }] },
    ...overrides,
  });

  it.each([
    ['neither image nor template', {}, 'input/invalid', 'image'],
    ['both image and template', { image: 'shop/checkout:2', container: 'checkout', template: template() }, 'input/invalid', 'template'],
    ['no image reference', { image: 'Shop/Checkout::2', container: 'checkout' }, 'input/invalid', 'image'],
    ['an image without its container', { image: 'shop/checkout:2' }, 'input/invalid', 'container'],
    ['an invalid container name', { image: 'shop/checkout:2', container: 'Check_out' }, 'input/invalid', 'container'],
    ['a container no member has', { image: 'shop/checkout:2', container: 'sidecar' }, 'input/invalid', 'container'],
    ['a container with a template', { container: 'checkout', template: template() }, 'input/invalid', 'container'],
    ['a template without containers', { template: template({ spec: { containers: [] } }) }, 'input/invalid', 'template.spec.containers'],
    [
      'a template with an invalid image',
      { template: template({ spec: { containers: [{ name: 'checkout', image: 'Shop::2' }] } }) },
      'input/invalid',
      'template.spec.containers[0].image',
    ],
    [
      "a template the members' selector would not select",
      { template: template({ metadata: { labels: { app: 'other' } } }) },
      'input/invalid',
      'template.metadata.labels',
    ],
    [
      'a reason over 1024 characters',
      { image: 'shop/checkout:2', container: 'checkout', reason: 'x'.repeat(1025) },
      'input/invalid',
      'reason',
    ],
    [
      'an unknown FleetRollout',
      { fleetRollout: 'storefront', image: 'shop/checkout:2', container: 'checkout' },
      'fleet/not_found',
      'fleetRollout',
    ],
  ])('%s', async (_case, variables, code, path) => {
    const before = { releases: await releaseCount(), audit: (await auditActions()).length };
    const response = await releaseFleet(variables);
    expect(response.data).toBeNull();
    expect(response.errors?.[0]?.extensions?.code).toBe(code);
    expect(response.errors?.[0]?.extensions?.problems?.map((problem) => problem.path)).toContain(path);
    expect({ releases: await releaseCount(), audit: (await auditActions()).length }).toEqual(before);
    expect(await templateImage('staging')).toBe('shop/checkout:1');
  });
});

describe('roles and tenancy', () => {
  it('refuses releaseFleet and every operation to a viewer', async () => {
    expect((await releaseFleet({ image: 'shop/checkout:2', container: 'checkout' }, org.tokens.viewer)).errors?.[0]?.extensions?.code).toBe(
      'auth/forbidden',
    );
    for (const name of Object.keys(OPERATIONS) as OperationName[]) {
      const response = await operate(name, { cluster: 'staging', wave: 'staging' }, org.tokens.viewer);
      expect([name, response.errors?.[0]?.extensions?.code]).toEqual([name, 'auth/forbidden']);
    }
    expect(await releaseCount()).toBe(0);
  });

  it("answers fleet/not_found to another organization, which can neither release nor operate on this one's FleetRollout", async () => {
    const other = await api.organization({ cluster: 'staging' });
    expect(
      (await releaseFleet({ image: 'shop/checkout:2', container: 'checkout' }, other.tokens.admin)).errors?.[0]?.extensions?.code,
    ).toBe('fleet/not_found');
    for (const name of Object.keys(OPERATIONS) as OperationName[]) {
      const response = await operate(name, { cluster: 'staging', wave: 'staging' }, other.tokens.admin);
      expect([name, response.errors?.[0]?.extensions?.code]).toEqual([name, 'fleet/not_found']);
    }
    expect(await releaseCount()).toBe(0);
    expect((await auditActions(other)).filter((event) => event.action.startsWith('fleet_release.'))).toEqual([]);
  });

  it('answers fleet/release_not_found to an operation while the FleetRollout has no active release', async () => {
    const response = await operate('pauseFleetRelease');
    expect(response.errors?.[0]).toMatchObject({
      message: 'checkout has no active release',
      extensions: { code: 'fleet/release_not_found' },
    });
  });
});

describe('a fleet release', () => {
  let first: ReleaseView;

  it("starts with a deployer's releaseFleet, changing the first wave's first batch at once and auditing it", async () => {
    const response = await releaseFleet({ image: 'shop/checkout:2', container: 'checkout', reason: 'checkout 2 everywhere' });
    expect(response.errors).toBeUndefined();
    first = response.data!.releaseFleet;
    expect(first).toMatchObject({
      number: 1,
      phase: 'Progressing',
      reason: 'checkout 2 everywhere',
      startedBy: 'token:deployer',
      supersededBy: null,
      change: { container: 'checkout', image: 'shop/checkout:2', template: null },
      waves: [
        { name: 'staging', phase: 'Progressing', members: [{ cluster: 'staging', state: 'Changing' }] },
        {
          name: 'production',
          phase: 'Pending',
          members: [
            { cluster: 'prod-eu', state: 'Pending' },
            { cluster: 'prod-us', state: 'Pending' },
          ],
        },
      ],
    });
    expect(await templateImage('staging')).toBe('shop/checkout:2');
    expect(await templateImage('prod-eu')).toBe('shop/checkout:1');

    const stored = await api.database.fleetRelease.findUniqueOrThrow({ where: { id: first.id }, select: { version: true } });
    expect(await queues.fleet.queue.getJob(`${first.id}.v${stored.version}`)).toBeDefined();
    const member = await api.database.rollout.findFirstOrThrow({
      where: { organizationId: org.id, cluster: { name: 'staging' } },
      select: { id: true, version: true, fleetReleaseId: true },
    });
    expect(member.fleetReleaseId).toBe(first.id);
    expect(await queues.reconcile.queue.getJob(`${member.id}.v${member.version}`)).toBeDefined();

    const audit = await auditActions();
    const started = audit.find((event) => event.action === 'fleet_release.started');
    expect(started?.reason).toBe('checkout 2 everywhere');
    expect(started?.after).toMatchObject({ change: { type: 'image', container: 'checkout', image: 'shop/checkout:2' }, number: 1 });
    expect(audit.map((event) => event.action)).toEqual(
      expect.arrayContaining(['fleet_release.ReleaseStarted', 'fleet_release.WaveStarted', 'rollout.fleet_template_changed']),
    );
  });

  it.each<[string, OperationName, Record<string, unknown>, string | undefined]>([
    ['resume when not paused', 'resumeFleetRelease', {}, undefined],
    ['retry when not halted', 'retryFleetRelease', {}, undefined],
    ['promoteWave with no member waiting at a pause', 'promoteWave', {}, undefined],
    ['approveWave of a wave the release does not have', 'approveWave', { wave: 'canary' }, 'wave'],
    ['approveWave of a wave not under way', 'approveWave', { wave: 'production' }, undefined],
    ['skipFleetMember of a cluster not in the release', 'skipFleetMember', { cluster: 'qa' }, 'cluster'],
    ['retryFleetMember of a member that has not failed', 'retryFleetMember', { cluster: 'staging' }, 'cluster'],
  ])('refuses %s (fleet/operation_refused), writing nothing', async (_case, name, variables, path) => {
    const before = await storedRelease(1);
    const audit = (await auditActions()).length;
    const response = await operate(name, variables);
    expect(response.errors?.[0]?.extensions?.code).toBe('fleet/operation_refused');
    expect(response.errors?.[0]?.message).not.toBe('');
    if (path !== undefined) expect(response.errors?.[0]?.extensions?.problems?.map((problem) => problem.path)).toEqual([path]);
    expect(await storedRelease(1)).toEqual(before);
    expect((await auditActions()).length).toBe(audit);
  });

  it('is paused and resumed, refusing a second pause, with each act audited with its reason', async () => {
    expect((await operate('pauseFleetRelease', { reason: 'lunch' })).data?.pauseFleetRelease).toEqual({ phase: 'Paused' });
    expect((await operate('pauseFleetRelease')).errors?.[0]?.extensions?.code).toBe('fleet/operation_refused');
    expect((await operate('resumeFleetRelease', { reason: 'back' })).data?.resumeFleetRelease).toEqual({ phase: 'Progressing' });
    const audit = await auditActions();
    expect(audit).toContainEqual(expect.objectContaining({ action: 'fleet_release.pause', reason: 'lunch' }));
    expect(audit).toContainEqual(expect.objectContaining({ action: 'fleet_release.resume', reason: 'back' }));
  });

  it('records who approved a wave, when and why, and refuses a second approval', async () => {
    const approved = await graphqlData<{ approveWave: ReleaseView }>(
      api.url,
      org.tokens.deployer,
      `mutation { approveWave(fleetRollout: "checkout", reason: "staging looks fine") { ${RELEASE_FIELDS} } }`,
    );
    expect(approved.approveWave.waves[0]).toMatchObject({ approvedBy: 'token:deployer', approvalReason: 'staging looks fine' });
    expect((await operate('approveWave')).errors?.[0]?.extensions?.code).toBe('fleet/operation_refused');
    expect(await auditActions()).toContainEqual(
      expect.objectContaining({ action: 'fleet_release.approveWave', reason: 'staging looks fine' }),
    );
  });

  it("owns its members' templates: setImage and manifests changing the template are refused, naming the release", async () => {
    const setImage = await graphql(api.url, org.tokens.deployer, SET_IMAGE, { cluster: 'staging', image: 'shop/checkout:9' });
    expect(setImage.errors?.[0]).toMatchObject({
      message:
        'rollout staging/shop/checkout belongs to fleet release checkout#1 (Progressing): change it with releaseFleet, or abort that release first',
      extensions: { code: 'rollout/fleet_owned' },
    });
    const changed = await graphql(api.url, org.tokens.deployer, APPLY, {
      cluster: 'staging',
      yaml: toYaml(canaryRollout('checkout', 'shop/checkout:9')),
    });
    expect(changed.errors?.[0]?.extensions).toMatchObject({
      code: 'rollout/fleet_owned',
      problems: [{ documentIndex: 0, path: 'spec.template' }],
    });
    expect(await templateImage('staging')).toBe('shop/checkout:2');

    const relabelled = canaryRollout('checkout', 'shop/checkout:2');
    relabelled.metadata.labels.team = 'payments';
    expect((await graphql(api.url, org.tokens.deployer, APPLY, { cluster: 'staging', yaml: toYaml(relabelled) })).errors).toBeUndefined();
    for (const operation of ['abort', 'restart', 'undo']) {
      const response = await graphql(
        api.url,
        org.tokens.deployer,
        `mutation { ${operation}(rollout: { cluster: "staging", namespace: "shop", name: "checkout" }) { id } }`,
      );
      expect([operation, response.errors]).toEqual([operation, undefined]);
    }
  });

  it('is superseded by a second release, which starts again at the first wave', async () => {
    const second = await releaseFleet({ image: 'shop/checkout:3', container: 'checkout' });
    expect(second.errors).toBeUndefined();
    expect(second.data?.releaseFleet).toMatchObject({
      number: 2,
      phase: 'Progressing',
      waves: [{ name: 'staging', members: [{ cluster: 'staging', state: 'Changing' }] }, { name: 'production' }],
    });
    const superseded = await storedRelease(1);
    expect(superseded).toMatchObject({ phase: 'Superseded', supersededById: second.data?.releaseFleet.id });
    const read = await graphql<{ fleetRelease: { phase: string; supersededBy: number | null } }>(
      api.url,
      org.tokens.viewer,
      '{ fleetRelease(fleetRollout: "checkout", number: 1) { phase supersededBy } }',
    );
    expect(read.data?.fleetRelease).toEqual({ phase: 'Superseded', supersededBy: 2 });
    expect(await templateImage('staging')).toBe('shop/checkout:3');
    expect((await auditActions()).map((event) => event.action)).toContain('fleet_release.ReleaseSuperseded');
    expect((await operate('resumeFleetRelease')).errors?.[0]?.message).toBe('the release is Progressing, not paused');
  });

  it('is aborted, after which its members take direct changes again and operations find no active release', async () => {
    expect((await operate('abortFleetRelease', { reason: 'enough' })).data?.abortFleetRelease).toEqual({ phase: 'Aborted' });
    expect((await operate('pauseFleetRelease')).errors?.[0]?.extensions?.code).toBe('fleet/release_not_found');
    const setImage = await graphql(api.url, org.tokens.deployer, SET_IMAGE, { cluster: 'staging', image: 'shop/checkout:4' });
    expect(setImage.errors).toBeUndefined();
    expect(await auditActions()).toContainEqual(expect.objectContaining({ action: 'fleet_release.abort', reason: 'enough' }));
  });
});

describe('an operation on a release some of whose members a freeze holds', () => {
  const PROD_ONLY_YAML = toYaml({
    apiVersion: 'flotilla.io/v1alpha1',
    kind: 'FleetRollout',
    metadata: { name: 'prod-only' },
    spec: {
      rollout: { namespace: 'shop', name: 'checkout' },
      waves: [{ name: 'production', clusterSelector: { matchLabels: { env: 'prod' } }, maxParallel: 1 }],
    },
  });

  it("changes no frozen member, which takes no place in maxParallel, and queues the release's wake-up at the freeze's end", async () => {
    await graphqlData(api.url, org.tokens.admin, APPLY_FLEET_ROLLOUT, { yaml: PROD_ONLY_YAML });
    const started = await graphql<{ releaseFleet: ReleaseView }>(
      api.url,
      org.tokens.deployer,
      `mutation { releaseFleet(fleetRollout: "prod-only", image: "shop/checkout:5", container: "checkout") { ${RELEASE_FIELDS} } }`,
    );
    expect(started.errors).toBeUndefined();
    const release = started.data!.releaseFleet;
    expect(release.waves[0]?.members).toEqual([
      { cluster: 'prod-eu', state: 'Changing' },
      { cluster: 'prod-us', state: 'Pending' },
    ]);
    const end = new Date(Date.now() + 3_600_000);
    await api.database.cluster.updateMany({
      where: { organizationId: org.id, name: 'prod-us' },
      data: { labels: { env: 'prod', hold: 'yes' } },
    });
    const freeze = toYaml({
      apiVersion: 'flotilla.io/v1alpha1',
      kind: 'FreezeWindow',
      metadata: { name: 'hold-us' },
      spec: {
        reason: 'us launch',
        start: new Date(Date.now() - 60_000).toISOString(),
        end: end.toISOString(),
        clusterSelector: { matchLabels: { hold: 'yes' } },
      },
    });
    await graphqlData(api.url, org.tokens.admin, APPLY_FLEET_ROLLOUT, { yaml: freeze });

    const skipped = await graphql(
      api.url,
      org.tokens.deployer,
      'mutation { skipFleetMember(fleetRollout: "prod-only", cluster: "prod-eu", reason: "not needed there") { phase } }',
    );
    expect(skipped.errors).toBeUndefined();
    const stored = await api.database.fleetRelease.findUniqueOrThrow({
      where: { id: release.id },
      select: { status: true, nextReconcileAt: true },
    });
    const members = (stored.status as { waves: { members: { cluster: string; state: string; message: string }[] }[] }).waves[0]?.members;
    expect(members?.map(({ cluster, state }) => ({ cluster, state }))).toEqual([
      { cluster: 'prod-eu', state: 'Skipped' },
      { cluster: 'prod-us', state: 'Pending' },
    ]);
    expect(members?.[1]?.message).toMatch(/^held by freeze hold-us until /);
    expect(await templateImage('prod-us')).toBe('shop/checkout:1');
    expect(stored.nextReconcileAt).not.toBeNull();
    expect(await queues.fleet.queue.getJob(`${release.id}.t${stored.nextReconcileAt!.getTime()}`)).toBeTruthy();
  });
});
