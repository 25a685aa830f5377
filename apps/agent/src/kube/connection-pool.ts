import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type RequestOptions } from 'node:https';
import type { Cluster } from '@kubernetes/client-node';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { SocksProxyAgent } from 'socks-proxy-agent';

/**
 * Concurrent requests per API server, one per rollout converging at once by default (`FLOTILLA_CONCURRENCY`); more
 * wait for a free connection instead of opening one each.
 */
const MAX_SOCKETS = 32;

/** The TLS material a request is sent with, as the kubeconfig's credentials resolved it. */
type TlsOptions = Pick<RequestOptions, 'ca' | 'cert' | 'key' | 'servername' | 'rejectUnauthorized'>;

const fingerprintOf = (cluster: Cluster, tls: TlsOptions): string =>
  JSON.stringify([cluster.server, cluster.proxyUrl, tls.servername, tls.rejectUnauthorized, ...[tls.ca, tls.cert, tls.key].map(String)]);

/**
 * Kept-alive connections to the API server, through the cluster's `proxy-url` when it has one. The library opens a
 * new connection for every request (its agents are made per request, without keep-alive); a burst of changes across
 * hundreds of rollouts needs them pooled. A credential that brings new TLS material (an exec plugin returning a new
 * client certificate) gets a new pool, and the old one is closed.
 */
export class ConnectionPool {
  private current: { fingerprint: string; agent: HttpAgent } | undefined;

  agentFor(cluster: Cluster, tls: TlsOptions): HttpAgent {
    const fingerprint = fingerprintOf(cluster, tls);
    if (this.current?.fingerprint === fingerprint) return this.current.agent;
    this.current?.agent.destroy();
    const agent = createAgent(cluster, { keepAlive: true, maxSockets: MAX_SOCKETS, ...tls });
    this.current = { fingerprint, agent };
    return agent;
  }

  close(): void {
    this.current?.agent.destroy();
    this.current = undefined;
  }
}

function createAgent(cluster: Cluster, options: TlsOptions & { keepAlive: boolean; maxSockets: number }): HttpAgent {
  const secure = cluster.server.startsWith('https:');
  const proxy = cluster.proxyUrl;
  if (proxy === undefined || proxy === '') return secure ? new HttpsAgent(options) : new HttpAgent(options);
  if (proxy.startsWith('socks')) return new SocksProxyAgent(proxy, options);
  return secure ? new HttpsProxyAgent({ ...options, proxy }) : new HttpProxyAgent({ ...options, proxy });
}
