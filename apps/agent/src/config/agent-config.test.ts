import { describe, expect, it } from 'vitest';
import { AgentConfigError, loadAgentConfig } from './agent-config.js';

describe('loadAgentConfig', () => {
  it.each([
    ['https://flotilla.example', 'wss://flotilla.example/agent/v1'],
    ['http://127.0.0.1:8080', 'ws://127.0.0.1:8080/agent/v1'],
    ['https://corp.example/flotilla/', 'wss://corp.example/flotilla/agent/v1'],
  ])('connects to %s as %s', (base, expected) => {
    expect(loadAgentConfig({ FLOTILLA_URL: base, FLOTILLA_AGENT_TOKEN: 't' }).controlPlaneUrl).toBe(expected);
  });

  it('reads the token from a file when asked, and the kubeconfig path when given', () => {
    const config = loadAgentConfig({
      FLOTILLA_URL: 'https://f.example',
      FLOTILLA_AGENT_TOKEN_FILE: '/var/run/token',
      KUBECONFIG: '/kube/config',
    });
    expect(config.token).toEqual({ kind: 'file', path: '/var/run/token' });
    expect(config.kubeconfigPath).toBe('/kube/config');
  });

  it.each([
    [{}, { measurementConcurrency: 16, agentNamespace: 'flotilla-system' }],
    [
      { FLOTILLA_MEASUREMENT_CONCURRENCY: '4', FLOTILLA_AGENT_NAMESPACE: 'platform-agents' },
      { measurementConcurrency: 4, agentNamespace: 'platform-agents' },
    ],
  ])('takes measurement settings from %j', (env, expected) => {
    expect(loadAgentConfig({ FLOTILLA_URL: 'https://f.example', FLOTILLA_AGENT_TOKEN: 't', ...env })).toMatchObject(expected);
  });

  it('gives the agent 20 s from SIGTERM to a forced exit unless SHUTDOWN_GRACE_SECONDS says otherwise', () => {
    const required = { FLOTILLA_URL: 'https://f.example', FLOTILLA_AGENT_TOKEN: 't' };
    expect([
      loadAgentConfig(required).shutdownGraceMs,
      loadAgentConfig({ ...required, SHUTDOWN_GRACE_SECONDS: '5' }).shutdownGraceMs,
    ]).toEqual([20_000, 5000]);
  });

  it('waits 30 s for welcome unless FLOTILLA_WELCOME_TIMEOUT_SECONDS says otherwise', () => {
    const required = { FLOTILLA_URL: 'https://f.example', FLOTILLA_AGENT_TOKEN: 't' };
    expect([
      loadAgentConfig(required).welcomeTimeoutMs,
      loadAgentConfig({ ...required, FLOTILLA_WELCOME_TIMEOUT_SECONDS: '5' }).welcomeTimeoutMs,
    ]).toEqual([30_000, 5000]);
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      loadAgentConfig({
        FLOTILLA_URL: 'ftp://f.example',
        LOG_LEVEL: 'loud',
        FLOTILLA_RESYNC_INTERVAL_SECONDS: 'often',
        FLOTILLA_MEASUREMENT_CONCURRENCY: '0',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AgentConfigError);
    expect((error as AgentConfigError).problems).toEqual([
      'FLOTILLA_URL must be http:// or https://, got ftp:',
      'FLOTILLA_AGENT_TOKEN or FLOTILLA_AGENT_TOKEN_FILE is required',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      'FLOTILLA_RESYNC_INTERVAL_SECONDS must be a number ≥ 1, got "often"',
      'FLOTILLA_MEASUREMENT_CONCURRENCY must be a number ≥ 1, got "0"',
    ]);
  });
});
