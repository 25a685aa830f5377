import { describe, expect, it } from 'vitest';
import type { FleetRolloutSpec } from '../../libs/fleet-engine/src/index.js';
import { graphql, graphqlData } from '../support/graphql-client.js';
import { canaryRollout, toYaml } from '../support/manifests.js';
import { apiForThisFile, type TestOrganization } from '../support/test-api.js';

const { api, org } = await apiForThisFile();

const HOUR_MS = 3_600_000;
/** The fixed window of these tests runs from an hour ago to two hours from now, so every act below falls inside it. */
const windowStart = new Date(Math.floor((Date.now() - HOUR_MS) / 1000) * 1000);
const windowEnd = new Date(windowStart.getTime() + 3 * HOUR_MS);

const CLUSTERS = { staging: { env: 'staging' }, 'prod-eu': { env: 'prod' } } as const;
const PROD = { cluster: 'prod-eu', namespace: 'shop', name: 'checkout' } as const;
const STAGING = { cluster: 'staging', namespace: 'shop', name: 'checkout' } as const;

const FLEET_SPEC: FleetRolloutSpec = {
  rollout: { namespace: 'shop', name: 'checkout' },
  waves: [{ name: 'staging', clusterSelector: { matchLabels: { env: 'staging' } }, approval: 'manual' }, { name: 'production' }],
};

const APPLY_ORGANIZATION_SCOPED = 'mutation($yaml: String!) { applyManifests(yaml: $yaml) { kind name action generation } }';
const APPLY_ROLLOUT =
  'mutation($cluster: String!, $yaml: String!) { applyManifests(cluster: $cluster, namespace: "shop", yaml: $yaml) { action } }';

/** The launch freeze over the production clusters' `shop` namespace; `env` picks which clusters it covers. */
function launchFreeze(env = 'prod', policy = 'finish'): string {
  return toYaml({
    apiVersion: 'flotilla.io/v1alpha1',
    kind: 'FreezeWindow',
    metadata: { name: 'launch' },
    spec: {
      reason: 'launch week',
      start: windowStart.toISOString(),
      end: windowEnd.toISOString(),
      policy,
      clusterSelector: { matchLabels: { env } },
      namespaces: ['shop'],
    },
  });
}

const PERIOD = 'window reason policy start end';
const OVERRIDE = 'id targetType target reason durationSeconds requestedBy confirmedBy confirmedAt expiresAt state';

interface Period {
  window: string;
  reason: string;
  policy: string;
  start: string;
  end: string;
}

interface Override {
  id: string;
  targetType: string;
  target: string;
  reason: string;
  durationSeconds: number;
  requestedBy: string;
  confirmedBy: string | null;
  confirmedAt: string | null;
  expiresAt: string | null;
  state: string;
}

const BREAK_GLASS = `mutation($target: BreakGlassTarget!, $reason: String!, $durationSeconds: Int!) {
  breakGlass(target: $target, reason: $reason, durationSeconds: $durationSeconds) { ${OVERRIDE} }
}`;
const CONFIRM = `mutation($id: ID!) { confirmBreakGlass(id: $id) { ${OVERRIDE} } }`;
const REVOKE = `mutation($id: ID!, $reason: String) { revokeBreakGlass(id: $id, reason: $reason) { ${OVERRIDE} } }`;
const SETTINGS = 'mutation($on: Boolean!) { updateOrganizationSettings(breakGlassNeedsSecondAdmin: $on) { breakGlassNeedsSecondAdmin } }';

const breakGlass = (target: Record<string, unknown>, token = org.tokens.admin, reason = 'checkout crash fix', durationSeconds = 7200) =>
  graphql<{ breakGlass: Override }>(api.url, token, BREAK_GLASS, { target, reason, durationSeconds });

/** The rollout operations, each as a mutation on `$rollout`. */
const ROLLOUT_OPERATIONS = {
  setImage: 'setImage(rollout: $rollout, container: "checkout", image: "shop/checkout:9")',
  promote: 'promote(rollout: $rollout)',
  promoteFully: 'promote(rollout: $rollout, full: true)',
  retry: 'retry(rollout: $rollout)',
  resume: 'resume(rollout: $rollout)',
  abort: 'abort(rollout: $rollout)',
  pause: 'pause(rollout: $rollout)',
  restart: 'restart(rollout: $rollout)',
  undo: 'undo(rollout: $rollout)',
} as const;
type RolloutOperation = keyof typeof ROLLOUT_OPERATIONS;

const operate = (operation: RolloutOperation, rollout: Record<string, string> = PROD, token = org.tokens.deployer) =>
  graphql<Record<string, { id: string }>>(
    api.url,
    token,
    `mutation($rollout: RolloutRef!) { op: ${ROLLOUT_OPERATIONS[operation]} { id } }`,
    {
      rollout,
    },
  );

const FLEET_OPERATIONS = {
  releaseFleet:
    'releaseFleet(fleetRollout: "checkout", image: "shop/checkout:2", container: "checkout", reason: "2 everywhere") { number }',
  approveWave: 'approveWave(fleetRollout: "checkout", reason: "staging fine") { number }',
  promoteWave: 'promoteWave(fleetRollout: "checkout") { number }',
  pauseFleetRelease: 'pauseFleetRelease(fleetRollout: "checkout") { number }',
  resumeFleetRelease: 'resumeFleetRelease(fleetRollout: "checkout") { number }',
} as const;
const operateFleet = (operation: keyof typeof FLEET_OPERATIONS, token = org.tokens.deployer) =>
  graphql<Record<string, { number: number }>>(api.url, token, `mutation { op: ${FLEET_OPERATIONS[operation]} }`);

const rolloutFreeze = async (rollout: Record<string, string>, token = org.tokens.viewer): Promise<Period | null> =>
  (
    await graphqlData<{ rollout: { freeze: Period | null } }>(
      api.url,
      token,
      `query($cluster: String!, $namespace: String!, $name: String!) { rollout(cluster: $cluster, namespace: $namespace, name: $name) { freeze { ${PERIOD} } } }`,
      rollout,
    )
  ).rollout.freeze;

async function auditEntries(
  action: string,
  organization: TestOrganization = org,
): Promise<{ action: string; targetName: string; after: unknown; reason: string | null }[]> {
  return api.database.auditEvent.findMany({
    where: { organizationId: organization.id, action },
    orderBy: { sequence: 'asc' },
    select: { action: true, targetName: true, after: true, reason: true },
  });
}

const applyFreeze = (yaml: string, token = org.tokens.admin) =>
  graphql<{ applyManifests: { kind: string; name: string; action: string; generation: number }[] }>(
    api.url,
    token,
    APPLY_ORGANIZATION_SCOPED,
    { yaml },
  );

const refusedCode = (response: { errors?: readonly { extensions?: Record<string, unknown> }[] }): unknown =>
  response.errors?.[0]?.extensions?.code;

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
  await graphqlData(api.url, org.tokens.deployer, APPLY_ROLLOUT, {
    cluster: name,
    yaml: toYaml(canaryRollout('checkout', 'shop/checkout:1')),
  });
}
await graphqlData(api.url, org.tokens.admin, APPLY_ORGANIZATION_SCOPED, {
  yaml: toYaml({ apiVersion: 'flotilla.io/v1alpha1', kind: 'FleetRollout', metadata: { name: 'checkout' }, spec: FLEET_SPEC }),
});

describe('applying FreezeWindows', () => {
  it.each([
    {
      case: 'no reason',
      spec: { start: '2026-12-24T00:00:00Z', end: '2027-01-02T00:00:00Z' },
      path: 'spec.reason',
    },
    {
      case: 'a schedule and fixed times',
      spec: {
        reason: 'r',
        schedule: 'DTSTART:20261204T160000Z\nDURATION:PT1H',
        start: '2026-12-24T00:00:00Z',
        end: '2027-01-02T00:00:00Z',
      },
      path: 'spec.schedule',
    },
    {
      case: 'an end before its start',
      spec: { reason: 'r', start: '2027-01-02T00:00:00Z', end: '2026-12-24T00:00:00Z' },
      path: 'spec.end',
    },
    { case: 'a start without an end', spec: { reason: 'r', start: '2026-12-24T00:00:00Z' }, path: 'spec.end' },
    {
      case: 'a DTSTART in no zone',
      spec: { reason: 'r', schedule: 'DTSTART:20261204T160000\nRRULE:FREQ=WEEKLY;BYDAY=FR\nDURATION:PT64H' },
      path: 'spec.schedule',
    },
    {
      case: 'an unknown policy',
      spec: { reason: 'r', start: '2026-12-24T00:00:00Z', end: '2027-01-02T00:00:00Z', policy: 'pause' },
      path: 'spec.policy',
    },
  ])('refuses $case with manifest/invalid at $path, storing nothing', async ({ spec, path }) => {
    const response = await applyFreeze(
      toYaml({ apiVersion: 'flotilla.io/v1alpha1', kind: 'FreezeWindow', metadata: { name: 'bad' }, spec }),
    );
    expect(refusedCode(response)).toBe('manifest/invalid');
    const problems = response.errors?.[0]?.extensions?.problems as { path: string }[];
    expect(problems.map((problem) => problem.path)).toContain(path);
    expect(await api.database.freezeWindow.count({ where: { organizationId: org.id, name: 'bad' } })).toBe(0);
  });

  it('is for admins: a deployer is refused', async () => {
    expect(refusedCode(await applyFreeze(launchFreeze(), org.tokens.deployer))).toBe('auth/forbidden');
  });

  it('creates the window, audited, and shows its period in effect now', async () => {
    const applied = await applyFreeze(launchFreeze());
    expect(applied.errors).toBeUndefined();
    expect(applied.data?.applyManifests).toEqual([{ kind: 'FreezeWindow', name: 'launch', action: 'Created', generation: 1 }]);
    expect((await auditEntries('freeze_window.created')).map((entry) => entry.targetName)).toEqual(['launch']);
    const { freezeWindows, freezeWindow } = await graphqlData<{
      freezeWindows: {
        name: string;
        policy: string;
        reason: string;
        start: string;
        end: string;
        namespaces: string[];
        current: Period | null;
        next: Period | null;
      }[];
      freezeWindow: { name: string; schedule: string | null; clusterSelector: unknown } | null;
    }>(
      api.url,
      org.tokens.viewer,
      `query { freezeWindows { name policy reason start end namespaces current { ${PERIOD} } next { ${PERIOD} } }
        freezeWindow(name: "launch") { name schedule clusterSelector } }`,
    );
    expect(freezeWindows).toEqual([
      {
        name: 'launch',
        policy: 'finish',
        reason: 'launch week',
        start: windowStart.toISOString(),
        end: windowEnd.toISOString(),
        namespaces: ['shop'],
        current: {
          window: 'launch',
          reason: 'launch week',
          policy: 'finish',
          start: windowStart.toISOString(),
          end: windowEnd.toISOString(),
        },
        next: null,
      },
    ]);
    expect(freezeWindow).toEqual({ name: 'launch', schedule: null, clusterSelector: { matchLabels: { env: 'prod' } } });
  });

  it('answers activeFreezes for one cluster and namespace, and refuses an unknown cluster', async () => {
    const query = `query($cluster: String!, $namespace: String!) { activeFreezes(cluster: $cluster, namespace: $namespace) { active { ${PERIOD} } next { window } } }`;
    const active = async (cluster: string, namespace: string) =>
      (
        await graphqlData<{ activeFreezes: { active: Period[]; next: { window: string } | null } }>(api.url, org.tokens.viewer, query, {
          cluster,
          namespace,
        })
      ).activeFreezes;
    expect((await active('prod-eu', 'shop')).active.map((period) => period.window)).toEqual(['launch']);
    expect(await active('prod-eu', 'billing')).toEqual({ active: [], next: null });
    expect(await active('staging', 'shop')).toEqual({ active: [], next: null });
    const unknown = await graphql(api.url, org.tokens.viewer, query, { cluster: 'nowhere', namespace: 'shop' });
    expect(refusedCode(unknown)).toBe('cluster/not_found');
  });

  it("keeps windows to their organization: another one sees none, and none of this one's clusters", async () => {
    const other = await api.organization();
    const { freezeWindows, freezeWindow } = await graphqlData<{ freezeWindows: unknown[]; freezeWindow: unknown }>(
      api.url,
      other.tokens.admin,
      'query { freezeWindows { name } freezeWindow(name: "launch") { name } }',
    );
    expect(freezeWindows).toEqual([]);
    expect(freezeWindow).toBeNull();
    const active = await graphql(
      api.url,
      other.tokens.viewer,
      'query { activeFreezes(cluster: "prod-eu", namespace: "shop") { active { window } } }',
    );
    expect(refusedCode(active)).toBe('cluster/not_found');
  });
});

describe('rollout operations in a window', () => {
  it('shows the freeze on the rollouts it covers', async () => {
    expect(await rolloutFreeze(PROD)).toEqual({
      window: 'launch',
      reason: 'launch week',
      policy: 'finish',
      start: windowStart.toISOString(),
      end: windowEnd.toISOString(),
    });
    expect(await rolloutFreeze(STAGING)).toBeNull();
  });

  it.each(['setImage', 'promote', 'promoteFully', 'retry', 'resume'] as const)(
    'refuses %s with freeze/active, the window and its end, writing nothing',
    async (operation) => {
      const before = await api.database.rolloutOperation.count();
      const response = await operate(operation);
      expect(response.errors?.[0]?.message).toBe(`frozen by launch until ${windowEnd.toISOString()} (launch week)`);
      expect(response.errors?.[0]?.extensions).toEqual({
        code: 'freeze/active',
        freeze: { window: 'launch', end: windowEnd.toISOString() },
      });
      expect(await api.database.rolloutOperation.count()).toBe(before);
    },
  );

  it.each(['abort', 'pause', 'restart', 'undo'] as const)('always allows %s', async (operation) => {
    const response = await operate(operation);
    expect(response.errors).toBeUndefined();
  });

  it('allows everything where the window does not reach', async () => {
    expect((await operate('setImage', STAGING)).errors).toBeUndefined();
  });
});

describe('break-glass', () => {
  it('is for admins', async () => {
    expect(refusedCode(await breakGlass({ rollout: PROD }, org.tokens.deployer))).toBe('auth/forbidden');
    expect(refusedCode(await graphql(api.url, org.tokens.deployer, SETTINGS, { on: true }))).toBe('auth/forbidden');
    const listed = await graphql(
      api.url,
      org.tokens.viewer,
      `
        query {
          breakGlassOverrides {
            nodes {
              id
            }
          }
          organizationSettings {
            breakGlassNeedsSecondAdmin
          }
        }
      `,
    );
    expect(listed.errors).toBeUndefined();
  });

  it.each([
    { case: 'no target', target: {}, reason: 'r', durationSeconds: 600, code: 'input/invalid', path: 'target' },
    {
      case: 'two targets',
      target: { rollout: PROD, fleetRollout: 'checkout' },
      reason: 'r',
      durationSeconds: 600,
      code: 'input/invalid',
      path: 'target',
    },
    { case: 'a blank reason', target: { rollout: PROD }, reason: '  ', durationSeconds: 600, code: 'input/invalid', path: 'reason' },
    {
      case: 'a reason over 1024 characters',
      target: { rollout: PROD },
      reason: 'x'.repeat(1025),
      durationSeconds: 600,
      code: 'input/invalid',
      path: 'reason',
    },
    { case: 'under a minute', target: { rollout: PROD }, reason: 'r', durationSeconds: 59, code: 'input/invalid', path: 'durationSeconds' },
    { case: 'over a day', target: { rollout: PROD }, reason: 'r', durationSeconds: 86_401, code: 'input/invalid', path: 'durationSeconds' },
    {
      case: 'an unknown rollout',
      target: { rollout: { ...PROD, name: 'cart' } },
      reason: 'r',
      durationSeconds: 600,
      code: 'rollout/not_found',
      path: 'target.rollout',
    },
    {
      case: 'an unknown FleetRollout',
      target: { fleetRollout: 'cart' },
      reason: 'r',
      durationSeconds: 600,
      code: 'fleet/not_found',
      path: 'target.fleetRollout',
    },
    {
      case: 'a FleetRollout without an active release',
      target: { fleetRollout: 'checkout' },
      reason: 'r',
      durationSeconds: 600,
      code: 'fleet/release_not_found',
      path: 'target.fleetRollout',
    },
  ])('refuses $case ($code at $path), storing nothing', async ({ target, reason, durationSeconds, code, path }) => {
    const response = await breakGlass(target, org.tokens.admin, reason, durationSeconds);
    expect(refusedCode(response)).toBe(code);
    expect((response.errors?.[0]?.extensions?.problems as { path: string }[] | undefined)?.map((problem) => problem.path)).toEqual([path]);
    expect(await api.database.breakGlassOverride.count({ where: { organizationId: org.id } })).toBe(0);
  });

  it('lifts the freeze of its rollout at once: the operation is accepted and its audit names the override', async () => {
    const requested = await breakGlass({ rollout: PROD });
    expect(requested.errors).toBeUndefined();
    const override = requested.data!.breakGlass;
    expect(override).toMatchObject({
      targetType: 'Rollout',
      target: 'prod-eu/shop/checkout',
      state: 'Active',
      durationSeconds: 7200,
      requestedBy: 'token:admin',
    });
    expect(Date.parse(override.expiresAt!) - Date.now()).toBeGreaterThan(7100 * 1000);
    expect(await rolloutFreeze(PROD)).toBeNull();

    const response = await operate('setImage');
    expect(response.errors).toBeUndefined();
    const [setImage] = (await auditEntries('rollout.setImage')).filter((entry) => entry.targetName === 'prod-eu/shop/checkout');
    expect(setImage?.after).toEqual({
      operation: 'setImage',
      container: 'checkout',
      image: 'shop/checkout:9',
      breakGlassOverride: override.id,
    });
    const [requestedEntry] = await auditEntries('break_glass.requested');
    expect(requestedEntry).toMatchObject({ targetName: 'prod-eu/shop/checkout', reason: 'checkout crash fix' });
    expect(requestedEntry?.after).toMatchObject({ breakGlassOverride: override.id, durationSeconds: 7200 });
    const unmarked = (await auditEntries('rollout.abort')).map((entry) => entry.after);
    expect(unmarked).toEqual([{ operation: 'abort' }]);

    const revoked = await graphql<{ revokeBreakGlass: Override }>(api.url, org.tokens.admin, REVOKE, { id: override.id, reason: 'fixed' });
    expect(revoked.data?.revokeBreakGlass.state).toBe('Revoked');
    expect((await auditEntries('break_glass.revoked')).map((entry) => entry.reason)).toEqual(['fixed']);
    expect(refusedCode(await operate('promote'))).toBe('freeze/active');
    expect(await rolloutFreeze(PROD)).not.toBeNull();
    expect(refusedCode(await graphql(api.url, org.tokens.admin, REVOKE, { id: override.id }))).toBe('input/invalid');
  });

  it('refuses again once an override has expired', async () => {
    const rollout = await api.database.rollout.findFirstOrThrow({
      where: { organizationId: org.id, name: 'checkout', cluster: { name: 'prod-eu' } },
    });
    const expired = await api.database.breakGlassOverride.create({
      data: {
        organizationId: org.id,
        targetType: 'Rollout',
        targetId: rollout.id,
        targetName: 'prod-eu/shop/checkout',
        reason: 'long gone',
        durationSeconds: 60,
        requestedBy: 'token:admin',
        requestedAt: new Date(Date.now() - 120_000),
        expiresAt: new Date(Date.now() - 60_000),
      },
    });
    expect(refusedCode(await operate('resume'))).toBe('freeze/active');
    const { breakGlassOverrides } = await graphqlData<{ breakGlassOverrides: { nodes: { id: string; state: string }[] } }>(
      api.url,
      org.tokens.viewer,
      'query { breakGlassOverrides { nodes { id state } } }',
    );
    expect(breakGlassOverrides.nodes.find((node) => node.id === expired.id)?.state).toBe('Expired');
  });

  it('waits for a second admin when the organization asks for one', async () => {
    const updated = await graphqlData<{ updateOrganizationSettings: { breakGlassNeedsSecondAdmin: boolean } }>(
      api.url,
      org.tokens.admin,
      SETTINGS,
      {
        on: true,
      },
    );
    expect(updated.updateOrganizationSettings.breakGlassNeedsSecondAdmin).toBe(true);
    expect((await auditEntries('organization.settings_updated')).map((entry) => entry.after)).toEqual([
      { breakGlassNeedsSecondAdmin: true },
    ]);

    const requested = (await breakGlass({ rollout: PROD })).data!.breakGlass;
    expect(requested).toMatchObject({ state: 'PendingConfirmation', expiresAt: null, confirmedBy: null });
    expect(refusedCode(await operate('setImage'))).toBe('freeze/active');

    const byRequester = await graphql(api.url, org.tokens.admin, CONFIRM, { id: requested.id });
    expect(refusedCode(byRequester)).toBe('breakglass/confirmation_refused');
    expect(byRequester.errors?.[0]?.message).toContain('another admin must confirm it');
    expect(refusedCode(await graphql(api.url, org.tokens.deployer, CONFIRM, { id: requested.id }))).toBe('auth/forbidden');

    const secondAdmin = (
      await graphqlData<{ createApiToken: { secret: string } }>(
        api.url,
        org.tokens.admin,
        'mutation { createApiToken(name: "second-admin", role: admin) { secret } }',
      )
    ).createApiToken.secret;
    const confirmedAt = Date.now();
    const confirmed = await graphqlData<{ confirmBreakGlass: Override }>(api.url, secondAdmin, CONFIRM, { id: requested.id });
    expect(confirmed.confirmBreakGlass).toMatchObject({ state: 'Active', confirmedBy: 'token:second-admin' });
    const expiresIn = Date.parse(confirmed.confirmBreakGlass.expiresAt!) - confirmedAt;
    expect(expiresIn).toBeGreaterThan(7190 * 1000);
    expect(expiresIn).toBeLessThan(7210 * 1000);
    expect((await auditEntries('break_glass.confirmed')).map((entry) => entry.after)).toEqual([
      { breakGlassOverride: requested.id, expiresAt: confirmed.confirmBreakGlass.expiresAt },
    ]);
    expect((await operate('setImage')).errors).toBeUndefined();

    const again = await graphql(api.url, secondAdmin, CONFIRM, { id: requested.id });
    expect(refusedCode(again)).toBe('breakglass/confirmation_refused');
    for (const id of ['00000000-0000-7000-8000-000000000000', 'not-an-id']) {
      expect(refusedCode(await graphql(api.url, secondAdmin, CONFIRM, { id }))).toBe('breakglass/not_found');
      expect(refusedCode(await graphql(api.url, secondAdmin, REVOKE, { id }))).toBe('breakglass/not_found');
    }

    await graphqlData(api.url, org.tokens.admin, REVOKE, { id: requested.id });
    await graphqlData(api.url, org.tokens.admin, SETTINGS, { on: false });
  });

  it('keeps overrides to their organization', async () => {
    const other = await api.organization();
    const { breakGlassOverrides } = await graphqlData<{ breakGlassOverrides: { nodes: unknown[] } }>(
      api.url,
      other.tokens.admin,
      'query { breakGlassOverrides { nodes { id } } }',
    );
    expect(breakGlassOverrides.nodes).toEqual([]);
    const mine = await api.database.breakGlassOverride.findFirstOrThrow({ where: { organizationId: org.id } });
    expect(refusedCode(await graphql(api.url, other.tokens.admin, REVOKE, { id: mine.id }))).toBe('breakglass/not_found');
    expect(refusedCode(await breakGlass({ rollout: PROD }, other.tokens.admin))).toBe('rollout/not_found');
  });

  it('lists active overrides first, then the newest', async () => {
    const active = (await breakGlass({ rollout: STAGING }, org.tokens.admin, 'staging hotfix', 600)).data!.breakGlass;
    const { breakGlassOverrides } = await graphqlData<{ breakGlassOverrides: { nodes: { id: string; state: string }[] } }>(
      api.url,
      org.tokens.viewer,
      'query { breakGlassOverrides(page: { first: 2 }) { nodes { id state } } }',
    );
    expect(breakGlassOverrides.nodes[0]).toEqual({ id: active.id, state: 'Active' });
    expect(breakGlassOverrides.nodes).toHaveLength(2);
    await graphqlData(api.url, org.tokens.admin, REVOKE, { id: active.id });
  });
});

describe('fleet releases in a window', () => {
  it('refuses releaseFleet while the window covers a cluster of its waves', async () => {
    const response = await operateFleet('releaseFleet');
    expect(refusedCode(response)).toBe('freeze/active');
    expect(response.errors?.[0]?.extensions?.freeze).toEqual({ window: 'launch', end: windowEnd.toISOString() });
    expect(await api.database.fleetRelease.count({ where: { organizationId: org.id } })).toBe(0);
  });

  it('refuses approving a wave that would start frozen members, until an override of the release lifts it', async () => {
    expect((await applyFreeze(launchFreeze('nowhere'))).errors).toBeUndefined();
    expect((await operateFleet('releaseFleet')).errors).toBeUndefined();
    expect((await applyFreeze(launchFreeze('prod'))).errors).toBeUndefined();

    expect(refusedCode(await operateFleet('approveWave'))).toBe('freeze/active');
    expect((await operateFleet('pauseFleetRelease')).errors).toBeUndefined();
    expect(refusedCode(await operateFleet('resumeFleetRelease'))).toBeUndefined();

    const override = (await breakGlass({ fleetRollout: 'checkout' }, org.tokens.admin, 'CVE fix', 3600)).data!.breakGlass;
    expect(override).toMatchObject({ targetType: 'FleetRelease', target: 'checkout#1', state: 'Active' });
    expect(await rolloutFreeze(PROD)).toBeNull();
    expect((await operateFleet('approveWave')).errors).toBeUndefined();
    const [approved] = await auditEntries('fleet_release.approveWave');
    expect(approved?.after).toMatchObject({ operation: 'approveWave', breakGlassOverride: override.id });
  });

  it('refuses promoting a wave whose members are frozen', async () => {
    expect((await applyFreeze(launchFreeze('staging'))).errors).toBeUndefined();
    await graphqlData(api.url, org.tokens.admin, 'mutation { abortFleetRelease(fleetRollout: "checkout") { number } }');
    expect((await applyFreeze(launchFreeze('nowhere'))).errors).toBeUndefined();
    expect((await operateFleet('releaseFleet')).errors).toBeUndefined();
    expect((await applyFreeze(launchFreeze('staging'))).errors).toBeUndefined();
    expect(refusedCode(await operateFleet('promoteWave'))).toBe('freeze/active');
  });
});
