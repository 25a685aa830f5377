import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MountedCredentials } from './mounted-credentials.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'mounted-credentials-'));
  await mkdir(join(directory, 'newrelic', '..data'), { recursive: true });
  await writeFile(join(directory, 'newrelic', 'personal-api-key'), 'NRAK-123456');
  await writeFile(join(directory, 'newrelic', 'account-id'), '4711');
  await writeFile(join(directory, 'outside'), 'not a secret');
});
afterAll(() => rm(directory, { recursive: true, force: true }));

describe('MountedCredentials', () => {
  it('reads a mounted Secret key by key, leaving out the dot-entries Kubernetes keeps, and remembers what it revealed', async () => {
    const session = new MountedCredentials(directory).session();
    expect(await session.lookup('newrelic')).toEqual({ 'personal-api-key': 'NRAK-123456', 'account-id': '4711' });
    expect(session.revealed.sort()).toEqual(['4711', 'NRAK-123456']);
  });

  it('finds nothing for a Secret that is not mounted, a name that is not a Secret name, or no directory at all', async () => {
    const session = new MountedCredentials(directory).session();
    expect(await session.lookup('datadog')).toBeUndefined();
    expect(await session.lookup('../outside')).toBeUndefined();
    expect(await session.lookup('newrelic/account-id')).toBeUndefined();
    expect(await new MountedCredentials(undefined).session().lookup('newrelic')).toBeUndefined();
    expect(session.revealed).toEqual([]);
  });
});
