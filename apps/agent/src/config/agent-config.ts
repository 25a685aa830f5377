import { AGENT_PATH } from '@flotilla/protocol';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Where the agent's token comes from; a file is read again before every connection, so it can be rotated. */
export type TokenSource = { kind: 'value'; token: string } | { kind: 'file'; path: string };

export interface AgentConfig {
  /** `ws(s)://…/agent/v1`, derived from `FLOTILLA_URL`. */
  controlPlaneUrl: string;
  token: TokenSource;
  /** `KUBECONFIG`: a kubeconfig file or a list of them; undefined means `~/.kube/config`, else the in-cluster service account. */
  kubeconfigPath: string | undefined;
  logLevel: LogLevel;
  /** Every rollout is converged again this often even without changes. */
  resyncIntervalMs: number;
  /** Every observation is sent again this often even without changes. */
  observeIntervalMs: number;
  /** Changes seen within this window are sent as one observation per rollout. */
  observeDebounceMs: number;
  reconnect: { baseMs: number; capMs: number; stableAfterMs: number; unauthenticatedRetryMs: number };
  /** A connection whose `hello` is not answered with `welcome` within this time is closed and tried again. */
  welcomeTimeoutMs: number;
  /** Rollouts converged at the same time. */
  concurrency: number;
  /** Measurements taken at the same time; further requests wait in arrival order. */
  measurementConcurrency: number;
  /** The agent's own namespace, where provider credential Secrets (`datadog`, `newrelic`, …) are looked up first. */
  agentNamespace: string;
  /** Time from SIGTERM to a forced exit; within it the agent closes its watches and its connection. */
  shutdownGraceMs: number;
}

/** The environment is invalid; every problem found is listed, not just the first. */
export class AgentConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid agent configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'AgentConfigError';
  }
}

const DEFAULT_AGENT_NAMESPACE = 'flotilla-system';

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Reads and validates the agent's configuration from environment variables, reporting every problem at once.
 * @example loadAgentConfig({ FLOTILLA_URL: 'https://flotilla.example', FLOTILLA_AGENT_TOKEN: 't' }).controlPlaneUrl
 * // 'wss://flotilla.example/agent/v1'
 */
export function loadAgentConfig(env: Record<string, string | undefined>): AgentConfig {
  const problems: string[] = [];
  const number = (name: string, fallback: number, minimum: number): number => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < minimum) {
      problems.push(`${name} must be a number ≥ ${minimum}, got ${JSON.stringify(text)}`);
      return fallback;
    }
    return value;
  };

  let controlPlaneUrl = '';
  const base = env.FLOTILLA_URL;
  if (base === undefined || base === '') problems.push('FLOTILLA_URL is required (the control plane base URL, http:// or https://)');
  else {
    try {
      const url = new URL(base);
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        problems.push(`FLOTILLA_URL must be http:// or https://, got ${url.protocol}`);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      url.pathname = `${url.pathname.replace(/\/+$/, '')}${AGENT_PATH}`;
      controlPlaneUrl = url.toString();
    } catch {
      problems.push(`FLOTILLA_URL is not a URL: ${JSON.stringify(base)}`);
    }
  }

  const tokenValue = env.FLOTILLA_AGENT_TOKEN;
  const tokenFile = env.FLOTILLA_AGENT_TOKEN_FILE;
  let token: TokenSource = { kind: 'value', token: '' };
  if (tokenValue && tokenFile) problems.push('set only one of FLOTILLA_AGENT_TOKEN and FLOTILLA_AGENT_TOKEN_FILE');
  else if (tokenValue) token = { kind: 'value', token: tokenValue };
  else if (tokenFile) token = { kind: 'file', path: tokenFile };
  else problems.push('FLOTILLA_AGENT_TOKEN or FLOTILLA_AGENT_TOKEN_FILE is required');

  const logLevel = (env.LOG_LEVEL ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(env.LOG_LEVEL)}`);

  const config: AgentConfig = {
    controlPlaneUrl,
    token,
    kubeconfigPath: env.KUBECONFIG || undefined,
    logLevel,
    resyncIntervalMs: number('FLOTILLA_RESYNC_INTERVAL_SECONDS', 60, 1) * 1000,
    observeIntervalMs: number('FLOTILLA_OBSERVE_INTERVAL_SECONDS', 30, 1) * 1000,
    observeDebounceMs: number('FLOTILLA_OBSERVE_DEBOUNCE_MS', 100, 0),
    reconnect: {
      baseMs: number('FLOTILLA_RECONNECT_BASE_MS', 500, 1),
      capMs: number('FLOTILLA_RECONNECT_MAX_SECONDS', 30, 1) * 1000,
      stableAfterMs: number('FLOTILLA_RECONNECT_STABLE_AFTER_SECONDS', 10, 0) * 1000,
      unauthenticatedRetryMs: number('FLOTILLA_UNAUTHENTICATED_RETRY_SECONDS', 60, 1) * 1000,
    },
    welcomeTimeoutMs: number('FLOTILLA_WELCOME_TIMEOUT_SECONDS', 30, 1) * 1000,
    concurrency: number('FLOTILLA_CONCURRENCY', 32, 1),
    measurementConcurrency: number('FLOTILLA_MEASUREMENT_CONCURRENCY', 16, 1),
    agentNamespace: env.FLOTILLA_AGENT_NAMESPACE || DEFAULT_AGENT_NAMESPACE,
    shutdownGraceMs: number('SHUTDOWN_GRACE_SECONDS', 20, 1) * 1000,
  };
  if (problems.length > 0) throw new AgentConfigError(problems);
  return config;
}
