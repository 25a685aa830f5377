import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedDirectory, runCli } from '../support/cli/cli-process.js';
import { resolveConnection, type ConnectionSources } from '../../apps/cli/src/config/connection.js';

/** A home with an optional config file and a project folder with an optional demo token, nested two levels down. */
function layout(options: { config?: string; demoToken?: string; demoServer?: string; tokenFile?: string }) {
  const root = mkdtempSync(join(tmpdir(), 'flotilla-connection-'));
  const home = join(root, 'home');
  const project = join(root, 'project');
  const cwd = join(project, 'services', 'checkout');
  mkdirSync(join(home, '.config', 'flotilla'), { recursive: true });
  mkdirSync(cwd, { recursive: true });
  if (options.config !== undefined) writeFileSync(join(home, '.config', 'flotilla', 'config.yaml'), options.config);
  if (options.tokenFile !== undefined) writeFileSync(join(home, '.config', 'flotilla', 'token'), `${options.tokenFile}\n`);
  if (options.demoToken !== undefined) {
    mkdirSync(join(project, '.flotilla'));
    writeFileSync(join(project, '.flotilla', 'token'), `${options.demoToken}\n`);
  }
  if (options.demoServer !== undefined) writeFileSync(join(project, '.flotilla', 'server'), `${options.demoServer}\n`);
  return (overrides: Partial<ConnectionSources> = {}): ConnectionSources => ({ flags: {}, environment: {}, cwd, home, ...overrides });
}

describe('resolveConnection', () => {
  it('uses the local demo when nothing else is set: default server, nearest .flotilla/token', () => {
    const sources = layout({ demoToken: 'demo-secret' });
    expect(resolveConnection(sources())).toMatchObject({ server: 'http://127.0.0.1:3000', token: 'demo-secret' });
  });

  it('prefers the config file over the demo, reading tokenFile relative to it', () => {
    const sources = layout({
      config: 'server: https://flotilla.example/\ntokenFile: token\n',
      tokenFile: 'from-file',
      demoToken: 'demo-secret',
    });
    expect(resolveConnection(sources())).toMatchObject({ server: 'https://flotilla.example', token: 'from-file' });
  });

  it('prefers the environment over the config file, and flags over both', () => {
    const sources = layout({ config: 'server: https://config.example\ntoken: from-config\n' });
    const environment = { FLOTILLA_SERVER: 'http://env.example:3000/graphql', FLOTILLA_TOKEN: 'from-env' };
    expect(resolveConnection(sources({ environment }))).toEqual({
      server: 'http://env.example:3000',
      token: 'from-env',
      tokenSource: 'FLOTILLA_TOKEN',
    });
    expect(resolveConnection(sources({ environment, flags: { server: 'http://flag.example', token: 'from-flag' } }))).toEqual({
      server: 'http://flag.example',
      token: 'from-flag',
      tokenSource: '--token',
    });
  });

  it('finds the demo at the address it recorded in .flotilla/server', () => {
    const sources = layout({ demoToken: 'demo-secret', demoServer: 'http://127.0.0.1:3001' });
    expect(resolveConnection(sources())).toMatchObject({ server: 'http://127.0.0.1:3001', token: 'demo-secret' });
  });

  it.each([
    { server: 'http://127.0.0.1:3000', demoServer: undefined },
    { server: 'HTTP://127.0.0.1:3000/', demoServer: undefined },
    { server: 'http://127.0.0.1:3000/graphql', demoServer: undefined },
    { server: 'http://localhost:80', demoServer: 'http://localhost/' },
  ])('sends the demo token to the demo address however it is written: $server', ({ server, demoServer }) => {
    const sources = layout({ demoToken: 'demo-secret', ...(demoServer === undefined ? {} : { demoServer }) });
    expect(resolveConnection(sources({ environment: { FLOTILLA_SERVER: server } }))).toMatchObject({ token: 'demo-secret' });
  });

  it.each([
    { name: 'another host', server: 'https://flotilla.example', demoServer: undefined },
    { name: 'another port', server: 'http://127.0.0.1:3001', demoServer: undefined },
    { name: 'another scheme', server: 'https://127.0.0.1:3000', demoServer: undefined },
    { name: 'the default once the demo recorded another address', server: 'http://127.0.0.1:3000', demoServer: 'http://127.0.0.1:3001' },
    { name: 'a user name in front of the demo host', server: 'http://127.0.0.1:3000@evil.example', demoServer: undefined },
  ])('keeps the demo token from $name', ({ server, demoServer }) => {
    const sources = layout({ demoToken: 'demo-secret', ...(demoServer === undefined ? {} : { demoServer }) });
    for (const connection of [
      resolveConnection(sources({ environment: { FLOTILLA_SERVER: server } })),
      resolveConnection(sources({ flags: { server } })),
    ]) {
      expect(connection.token).toBeUndefined();
      expect(connection.tokenSource).toContain('is kept for the demo at');
    }
  });

  it('keeps the demo token from a server named in the config file', () => {
    const sources = layout({ config: 'server: https://config.example\n', demoToken: 'demo-secret' });
    expect(resolveConnection(sources())).toMatchObject({ server: 'https://config.example', token: undefined });
  });

  it.each([
    { name: 'FLOTILLA_TOKEN', overrides: { environment: { FLOTILLA_TOKEN: '' } } },
    { name: '--token', overrides: { flags: { token: '' } } },
  ])('takes $name set empty as no token, even at the demo address', ({ name, overrides }) => {
    const sources = layout({ demoToken: 'demo-secret' });
    expect(resolveConnection(sources(overrides))).toEqual({
      server: 'http://127.0.0.1:3000',
      token: undefined,
      tokenSource: `${name} is empty`,
    });
  });

  it('has no token when none is found anywhere', () => {
    expect(resolveConnection(layout({})())).toMatchObject({ token: undefined });
  });

  it.each([
    { config: 'server: [1, 2]\n', message: 'server must be a string' },
    { config: '- a\n- b\n', message: 'must be a mapping' },
    { config: 'tokenFile: missing-token\n', message: 'cannot read the token file' },
  ])('explains a config file it cannot use: $message', ({ config, message }) => {
    expect(() => resolveConnection(layout({ config })())).toThrow(message);
  });
});

describe('the flotilla process and a server that is not the demo', () => {
  let server: Server;
  let url: string;
  const authorizations: (string | undefined)[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      authorizations.push(request.headers.authorization);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"clusters":[]}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** A working folder holding the demo's admin token, with the demo's address when given. */
  function folderWithDemoToken(demoServer?: string): string {
    const folder = isolatedDirectory();
    mkdirSync(join(folder, '.flotilla'));
    writeFileSync(join(folder, '.flotilla', 'token'), 'demo-admin-secret\n');
    if (demoServer !== undefined) writeFileSync(join(folder, '.flotilla', 'server'), `${demoServer}\n`);
    return folder;
  }

  it('never sends it the demo token from the working folder', async () => {
    authorizations.length = 0;
    const result = await runCli(['clusters'], { cwd: folderWithDemoToken(), environment: { FLOTILLA_SERVER: url } });
    expect(authorizations.filter((authorization) => authorization !== undefined)).toEqual([]);
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain('is kept for the demo at http://127.0.0.1:3000');
  });

  it('never sends the demo token when FLOTILLA_TOKEN is set empty, even to the demo address', async () => {
    authorizations.length = 0;
    const result = await runCli(['clusters'], { cwd: folderWithDemoToken(url), environment: { FLOTILLA_SERVER: url, FLOTILLA_TOKEN: '' } });
    expect(authorizations.filter((authorization) => authorization !== undefined)).toEqual([]);
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain('FLOTILLA_TOKEN is empty');
  });

  it('sends the demo token to the address the demo recorded', async () => {
    authorizations.length = 0;
    const result = await runCli(['clusters'], { cwd: folderWithDemoToken(url) });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(authorizations).toEqual(['Bearer demo-admin-secret']);
  });
});
