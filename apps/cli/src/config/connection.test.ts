import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConnection, type ConnectionSources } from './connection.js';

/** A home with an optional config file and a project folder with an optional demo token, nested two levels down. */
function layout(options: { config?: string; demoToken?: string; tokenFile?: string }) {
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
  return (overrides: Partial<ConnectionSources> = {}): ConnectionSources => ({ flags: {}, environment: {}, cwd, home, ...overrides });
}

describe('resolveConnection', () => {
  it('uses the local demo when nothing else is set: default server, nearest .flotilla/token', () => {
    const sources = layout({ demoToken: 'demo-secret' });
    expect(resolveConnection(sources())).toMatchObject({ server: 'http://127.0.0.1:3000', token: 'demo-secret' });
  });

  it('prefers the config file over the demo, reading tokenFile relative to it', () => {
    const sources = layout({ config: 'server: https://flotilla.example/\ntokenFile: token\n', tokenFile: 'from-file', demoToken: 'demo-secret' });
    expect(resolveConnection(sources())).toMatchObject({ server: 'https://flotilla.example', token: 'from-file' });
  });

  it('prefers the environment over the config file, and flags over both', () => {
    const sources = layout({ config: 'server: https://config.example\ntoken: from-config\n' });
    const environment = { FLOTILLA_SERVER: 'http://env.example:3000/graphql', FLOTILLA_TOKEN: 'from-env' };
    expect(resolveConnection(sources({ environment }))).toEqual({ server: 'http://env.example:3000', token: 'from-env', tokenSource: 'FLOTILLA_TOKEN' });
    expect(resolveConnection(sources({ environment, flags: { server: 'http://flag.example', token: 'from-flag' } }))).toEqual({
      server: 'http://flag.example',
      token: 'from-flag',
      tokenSource: '--token',
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
