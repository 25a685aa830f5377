import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MountedCredentials } from './mounted-credentials.js';

const organization = '0190a0c0-0000-7000-8000-000000000001';
const otherOrganization = '0190a0c0-0000-7000-8000-000000000002';
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'mounted-credentials-'));
  // As Kubernetes mounts a Secret: keys are links into a dot-directory that is swapped on update.
  const secret = join(directory, organization, 'newrelic');
  await mkdir(join(secret, '..2026_11_22', 'nested'), { recursive: true });
  await writeFile(join(secret, '..2026_11_22', 'personal-api-key'), 'NRAK-123456');
  await writeFile(join(secret, '..2026_11_22', 'account-id'), '4711');
  await symlink(join('..2026_11_22', 'personal-api-key'), join(secret, 'personal-api-key'));
  await symlink(join('..2026_11_22', 'account-id'), join(secret, 'account-id'));
  await symlink(join('..2026_11_22', 'rotated-away'), join(secret, 'rotated-away'));
  await symlink(join('..2026_11_22', 'nested'), join(secret, 'nested'));
  await writeFile(join(directory, organization, 'outside'), 'not a secret');
});
afterAll(() => rm(directory, { recursive: true, force: true }));

describe('MountedCredentials', () => {
  it("reads an organization's mounted Secret key by key through its links, and remembers what it revealed", async () => {
    const session = new MountedCredentials(directory).session(organization);
    expect(await session.lookup('newrelic')).toEqual({ 'personal-api-key': 'NRAK-123456', 'account-id': '4711' });
    expect(session.revealed.sort()).toEqual(['4711', 'NRAK-123456']);
  });

  it("never reads another organization's Secrets", async () => {
    const session = new MountedCredentials(directory).session(otherOrganization);
    expect(await session.lookup('newrelic')).toBeUndefined();
    expect(session.revealed).toEqual([]);
  });

  it('finds nothing for a Secret that is not mounted, a name that is not a Secret name, or no directory at all', async () => {
    const session = new MountedCredentials(directory).session(organization);
    expect(await session.lookup('datadog')).toBeUndefined();
    expect(await session.lookup('../outside')).toBeUndefined();
    expect(await session.lookup('newrelic/account-id')).toBeUndefined();
    expect(await new MountedCredentials(directory).session('../x').lookup('newrelic')).toBeUndefined();
    expect(await new MountedCredentials(undefined).session(organization).lookup('newrelic')).toBeUndefined();
    expect(session.revealed).toEqual([]);
  });

  it("finds nothing for a Secret wanted from the run's namespace, which the control plane does not hold", async () => {
    const session = new MountedCredentials(directory).session(organization);
    expect(await session.lookup('newrelic', { runNamespaceOnly: true })).toBeUndefined();
    expect(session.revealed).toEqual([]);
  });
});
