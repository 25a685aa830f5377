import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { alive } from './api-process.js';
import { eventually, freePort, stopProcess } from './processes.js';

/** What clients and agents reach the API replicas through. */
export interface E2eFront {
  url: string;
  stop(): Promise<void>;
}

/**
 * How often HAProxy asks each replica's /readyz; two failed answers in a row take the replica out, one good one brings
 * it back. A check may take up to 2 s on a loaded machine before it counts as failed.
 */
const CHECK_INTERVAL_MS = 400;

/**
 * The load balancer of an installation: HTTP and WebSocket (upgrades are tunnelled, with no idle limit short enough
 * to cut an agent between heartbeats), each replica checked on /readyz, and a request whose connection a dead replica
 * refused sent to another one. It names each client in `X-Forwarded-For` (the APIs trust it with `TRUSTED_PROXIES`).
 * Every connection goes to the first replica that is up (`balance first`), so that a
 * test knows which replica holds the agents; an installation would spread them (`balance leastconn`).
 */
export function haproxyConfig(port: number, backends: readonly string[]): string {
  const servers = backends.map((url, index) => `  server api${index} ${new URL(url).host} check`);
  return [
    'defaults',
    '  mode http',
    '  option forwardfor',
    '  timeout connect 1s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout tunnel 1h',
    '  timeout check 2s',
    '  retries 3',
    '  option redispatch 1',
    '  retry-on conn-failure empty-response',
    'frontend api',
    `  bind 127.0.0.1:${port}`,
    '  default_backend replicas',
    'backend replicas',
    '  balance first',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    `  default-server inter ${CHECK_INTERVAL_MS} fall 2 rise 1`,
    ...servers,
    '',
  ].join('\n');
}

/** Starts HAProxy (`scripts/test-tools.sh` installs it) in front of `backends`, with its configuration in `directory`. */
export async function startHaproxy(directory: string, backends: readonly string[]): Promise<E2eFront> {
  const port = await freePort();
  const config = join(directory, 'haproxy.cfg');
  await writeFile(config, haproxyConfig(port, backends));
  const child = spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('error', () => undefined);
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    async () => {
      alive(child, 'HAProxy (installed by scripts/test-tools.sh)');
      return (await fetch(`${url}/readyz`).catch(() => undefined))?.ok;
    },
    10_000,
    'HAProxy to forward to a ready API',
  );
  return { url, stop: () => stopProcess(child) };
}
