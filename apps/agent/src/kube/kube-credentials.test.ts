import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { KubeCredentialsError, loadInClusterCredentials, loadKubeconfig, loadKubeCredentials } from './kube-credentials.js';

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'flotilla-kubeconfig-'));
  await writeFile(join(directory, 'ca.crt'), 'CA FROM FILE');
  await writeFile(join(directory, 'client.crt'), 'CERT FROM FILE');
  await writeFile(join(directory, 'client.key'), 'KEY FROM FILE');
  await writeFile(join(directory, 'token'), 'rotated-token\n');
});

afterAll(() => rm(directory, { recursive: true, force: true }));

const base64 = (text: string): string => Buffer.from(text).toString('base64');

async function kubeconfig(
  name: string,
  cluster: Record<string, unknown>,
  user: Record<string, unknown> | undefined,
  currentContext = 'main',
): Promise<string> {
  const path = join(directory, name);
  await writeFile(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': currentContext,
      contexts: [
        { name: 'other', context: { cluster: 'other', user: 'other' } },
        { name: 'main', context: { cluster: 'main', ...(user ? { user: 'main' } : {}) } },
      ],
      clusters: [
        { name: 'other', cluster: { server: 'https://other.example:6443' } },
        { name: 'main', cluster },
      ],
      users: [{ name: 'other', user: { token: 'other-token' } }, ...(user ? [{ name: 'main', user }] : [])],
    }),
  );
  return path;
}

describe('loadKubeconfig', () => {
  it('reads the current context: inline CA, token', async () => {
    const path = await kubeconfig(
      'inline',
      { server: 'https://10.0.0.1:6443', 'certificate-authority-data': base64('INLINE CA') },
      { token: 'secret-token' },
    );
    const credentials = loadKubeconfig(path);
    expect(credentials.server.href).toBe('https://10.0.0.1:6443/');
    expect(credentials.ca?.toString()).toBe('INLINE CA');
    expect(credentials.token).toEqual({ kind: 'value', token: 'secret-token' });
    expect(credentials.skipTlsVerify).toBe(false);
  });

  it('reads files relative to the kubeconfig: CA, client certificate and key', async () => {
    const path = await kubeconfig(
      'files',
      { server: 'https://api.example', 'certificate-authority': 'ca.crt' },
      { 'client-certificate': 'client.crt', 'client-key': join(directory, 'client.key') },
    );
    const credentials = loadKubeconfig(path);
    expect([credentials.ca?.toString(), credentials.clientCertificate?.toString(), credentials.clientKey?.toString()]).toEqual([
      'CA FROM FILE',
      'CERT FROM FILE',
      'KEY FROM FILE',
    ]);
    expect(credentials.token).toEqual({ kind: 'none' });
  });

  it('prefers inline client certificate data and honours insecure-skip-tls-verify and tokenFile', async () => {
    const path = await kubeconfig(
      'mixed',
      { server: 'https://api.example', 'insecure-skip-tls-verify': true },
      {
        'client-certificate-data': base64('INLINE CERT'),
        'client-certificate': 'client.crt',
        'client-key-data': base64('INLINE KEY'),
        tokenFile: 'token',
      },
    );
    const credentials = loadKubeconfig(path);
    expect(credentials.skipTlsVerify).toBe(true);
    expect([credentials.clientCertificate?.toString(), credentials.clientKey?.toString()]).toEqual(['INLINE CERT', 'INLINE KEY']);
    expect(credentials.token).toEqual({ kind: 'file', path: join(directory, 'token') });
  });

  it('accepts a context without a user (an unauthenticated local server)', async () => {
    const credentials = loadKubeconfig(await kubeconfig('anonymous', { server: 'http://127.0.0.1:8080' }, undefined));
    expect(credentials.server.protocol).toBe('http:');
    expect(credentials.token).toEqual({ kind: 'none' });
  });

  it.each([
    ['exec credential plugins', { exec: { command: 'aws', args: ['eks', 'get-token'] } }, /uses exec credential plugins/],
    ['auth-provider plugins', { 'auth-provider': { name: 'gcp' } }, /uses auth-provider credential plugins/],
    ['basic auth', { username: 'admin', password: 'pw' }, /uses basic auth/],
  ])('refuses %s, naming the user', async (_label, user, message) => {
    const path = await kubeconfig(`plugin-${Object.keys(user)[0]}`, { server: 'https://api.example' }, user);
    expect(() => loadKubeconfig(path)).toThrow(message);
    expect(() => loadKubeconfig(path)).toThrow(/user "main"/);
  });

  it.each([
    ['a missing current-context', { server: 'https://api.example' }, '', /no current-context/],
    ['an unknown current-context', { server: 'https://api.example' }, 'gone', /no context named "gone"/],
    ['a cluster without server', {}, 'main', /cluster "main" has no server/],
    ['an invalid server', { server: 'not a url' }, 'main', /invalid server/],
    [
      'an unreadable CA file',
      { server: 'https://api.example', 'certificate-authority': 'missing.crt' },
      'main',
      /cannot read the certificate authority/,
    ],
  ])('explains %s', async (label, cluster, currentContext, message) => {
    const path = await kubeconfig(`broken-${label.replaceAll(' ', '-')}`, cluster, { token: 't' }, currentContext);
    expect(() => loadKubeconfig(path)).toThrow(KubeCredentialsError);
    expect(() => loadKubeconfig(path)).toThrow(message);
  });

  it('names the file it could not read', () => {
    const path = join(directory, 'absent');
    expect(() => loadKubeconfig(path)).toThrow(`${path}: cannot read the kubeconfig`);
  });
});

describe('loadInClusterCredentials', () => {
  it('uses the service account token file, its CA and the service environment', () => {
    const credentials = loadInClusterCredentials({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, directory);
    expect(credentials.server.href).toBe('https://10.96.0.1/');
    expect(credentials.ca?.toString()).toBe('CA FROM FILE');
    expect(credentials.token).toEqual({ kind: 'file', path: join(directory, 'token') });
  });

  it('brackets an IPv6 service host', () => {
    expect(loadInClusterCredentials({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' }, directory).server.href).toBe(
      'https://[fd00::1]:6443/',
    );
  });

  it.each([
    ['without the service environment', {}, '.', /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set/],
    [
      'without a mounted token',
      { KUBERNETES_SERVICE_HOST: 'h', KUBERNETES_SERVICE_PORT: '1' },
      'nowhere',
      /no service account token is mounted/,
    ],
  ])('refuses to start %s', (_label, env, serviceAccount, message) => {
    expect(() => loadInClusterCredentials(env, join(directory, serviceAccount))).toThrow(message);
  });
});

describe('loadKubeCredentials', () => {
  it('reads ~/.kube/config when no path is given and it exists, the service account otherwise', async () => {
    const home = join(directory, 'home');
    await rm(home, { recursive: true, force: true });
    expect(() => loadKubeCredentials(undefined, { HOME: home })).toThrow(/KUBERNETES_SERVICE_HOST/);
    await mkdir(join(home, '.kube'), { recursive: true });
    await copyFile(await kubeconfig('for-home', { server: 'https://10.0.0.1:6443' }, { token: 't' }), join(home, '.kube', 'config'));
    expect(loadKubeCredentials(undefined, { HOME: home }).server.href).toBe('https://10.0.0.1:6443/');
  });
});
