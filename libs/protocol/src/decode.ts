import type { AgentMessage, ControlPlaneMessage, RolloutKey } from './messages.js';

export class ProtocolError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'ProtocolError';
  }
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function field<T>(message: Json, name: string, check: (value: unknown) => value is T, expected: string): T {
  const value = message[name];
  if (!check(value)) throw new ProtocolError(name, `must be ${expected}`);
  return value;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isVersion = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isRolloutKey = (value: unknown): value is RolloutKey =>
  isObject(value) && isString(value.namespace) && isString(value.name) && (value.kind === undefined || value.kind === 'Experiment');

function parseObject(text: string): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ProtocolError('', 'not JSON');
  }
  if (!isObject(parsed)) throw new ProtocolError('', 'must be a JSON object');
  return parsed;
}

/**
 * Checks the envelope of a message from an agent: its type and the fields the control plane routes on. Observed
 * states are passed on as the agent sent them; the engine reads them defensively.
 */
export function decodeAgentMessage(text: string): AgentMessage {
  const message = parseObject(text);
  switch (message.type) {
    case 'hello':
      field(message, 'protocolVersion', isVersion, 'a version number');
      field(message, 'agentVersion', isString, 'a string');
      return message as unknown as AgentMessage;
    case 'heartbeat':
      field(message, 'sentAt', isString, 'an ISO time');
      return message as unknown as AgentMessage;
    case 'applied':
      field(message, 'rollout', isRolloutKey, 'a {namespace, name, kind?} object');
      field(message, 'desiredVersion', isVersion, 'a version number');
      return message as unknown as AgentMessage;
    case 'observed':
      field(message, 'rollout', isRolloutKey, 'a {namespace, name, kind?} object');
      field(message, 'desiredVersion', isVersion, 'a version number');
      field(message, 'state', (value): value is Json => isObject(value) && Array.isArray(value.replicaSets), 'an observed state with replicaSets');
      return message as unknown as AgentMessage;
    case 'measurement':
      field(message, 'requestId', isString, 'a string');
      field(message, 'outcome', (value): value is Json => isObject(value) && typeof value.ok === 'boolean', 'an outcome with ok');
      return message as unknown as AgentMessage;
    default:
      throw new ProtocolError('type', `unknown message type ${JSON.stringify(message.type)}`);
  }
}

/** Checks the envelope of a message from the control plane. */
export function decodeControlPlaneMessage(text: string): ControlPlaneMessage {
  const message = parseObject(text);
  switch (message.type) {
    case 'welcome':
      field(message, 'protocolVersion', isVersion, 'a version number');
      field(message, 'cluster', isString, 'a string');
      return message as unknown as ControlPlaneMessage;
    case 'snapshot':
      field(message, 'rollouts', Array.isArray, 'an array');
      return message as unknown as ControlPlaneMessage;
    case 'desired':
      field(message, 'desired', (value): value is Json => isObject(value) && isRolloutKey(value.rollout) && isVersion(value.desiredVersion) && isObject(value.state), 'a desired rollout');
      return message as unknown as ControlPlaneMessage;
    case 'deleted':
      field(message, 'rollout', isRolloutKey, 'a {namespace, name, kind?} object');
      return message as unknown as ControlPlaneMessage;
    case 'measure':
      field(message, 'request', (value): value is Json => isObject(value) && isString(value.requestId) && isObject(value.metric) && isObject(value.run), 'a measurement request');
      return message as unknown as ControlPlaneMessage;
    case 'error':
      field(message, 'message', isString, 'a string');
      return message as unknown as ControlPlaneMessage;
    default:
      throw new ProtocolError('type', `unknown message type ${JSON.stringify(message.type)}`);
  }
}

export const rolloutKeyString = (key: RolloutKey): string => (key.kind === 'Experiment' ? `experiment:${key.namespace}/${key.name}` : `${key.namespace}/${key.name}`);
