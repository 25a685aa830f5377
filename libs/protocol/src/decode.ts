import { AGENT_MESSAGE_BOUNDS, isCount, isNamespace, isObjectName, stringProblem } from './bounds.js';
import type { AgentMessage, ControlPlaneMessage } from './messages.js';
import type { RolloutKey } from './rollout-key.js';

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

const optional =
  <T>(check: (value: unknown) => value is T) =>
  (value: unknown): value is T | undefined =>
    value === undefined || check(value);

/**
 * Walks a parsed message once, refusing what no field may hold: strings over the bound, with NUL or a lone
 * surrogate (in keys too), arrays and objects over the bound of entries, nesting deeper than the bound.
 * @example checkEveryValue({ a: ['x\u0000'] }) // throws ProtocolError at 'a[0]'
 */
function checkEveryValue(value: unknown, path = '', depth = 0): void {
  if (typeof value === 'string') {
    const problem = stringProblem(value);
    if (problem) throw new ProtocolError(path, problem);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (depth >= AGENT_MESSAGE_BOUNDS.depth) throw new ProtocolError(path, `must not nest deeper than ${AGENT_MESSAGE_BOUNDS.depth}`);
  const entries = Array.isArray(value)
    ? value.map((item, index) => [`${path}[${index}]`, item] as const)
    : Object.entries(value).map(([key, item]) => [path ? `${path}.${key}` : key, item, key] as const);
  if (entries.length > AGENT_MESSAGE_BOUNDS.entries)
    throw new ProtocolError(path, `must hold at most ${AGENT_MESSAGE_BOUNDS.entries} entries`);
  for (const [itemPath, item, key] of entries) {
    const keyProblem = key === undefined ? undefined : stringProblem(key, AGENT_MESSAGE_BOUNDS.shortStringLength * 4);
    if (keyProblem) throw new ProtocolError(itemPath, `key ${keyProblem}`);
    checkEveryValue(item, itemPath, depth + 1);
  }
}

/** Reads the fields of one object of a message, naming each by its path from the message. */
class Fields {
  constructor(
    private readonly object: Json,
    private readonly path: string,
  ) {}

  static of(parent: Fields, name: string): Fields {
    const value = parent.object[name];
    const path = parent.pathOf(name);
    if (!isObject(value)) throw new ProtocolError(path, 'must be an object');
    return new Fields(value, path);
  }

  pathOf(name: string): string {
    return this.path ? `${this.path}.${name}` : name;
  }

  get(name: string): unknown {
    return this.object[name];
  }

  require<T>(name: string, check: (value: unknown) => value is T, expected: string): T {
    const value = this.object[name];
    if (!check(value)) throw new ProtocolError(this.pathOf(name), `must be ${expected}`);
    return value;
  }

  string(
    name: string,
    maxLength: number,
    accepts: (value: string) => boolean = () => true,
    expected = `a string of at most ${maxLength} characters`,
  ): string {
    return this.require(name, (value): value is string => isString(value) && value.length <= maxLength && accepts(value), expected);
  }

  /** Each value of a `{ key: value }` field, with its path. */
  each(name: string, check: (value: unknown) => boolean, expected: string, optionalField = false): void {
    const value = this.object[name];
    if (optionalField && value === undefined) return;
    if (!isObject(value)) throw new ProtocolError(this.pathOf(name), 'must be an object');
    for (const [key, item] of Object.entries(value))
      if (!check(item)) throw new ProtocolError(`${this.pathOf(name)}.${key}`, `must be ${expected}`);
  }

  list(name: string, maxItems: number): Fields[] {
    const value = this.object[name];
    const path = this.pathOf(name);
    if (!Array.isArray(value)) throw new ProtocolError(path, 'must be an array');
    if (value.length > maxItems) throw new ProtocolError(path, `must hold at most ${maxItems} items`);
    return value.map((item: unknown, index) => {
      if (!isObject(item)) throw new ProtocolError(`${path}[${index}]`, 'must be an object');
      return new Fields(item, `${path}[${index}]`);
    });
  }
}

const isIsoTime = (value: string): boolean => !Number.isNaN(Date.parse(value));
const isDesiredVersion = (value: unknown): value is number => isCount(value) && value <= AGENT_MESSAGE_BOUNDS.maxDesiredVersion;

function checkRolloutKey(message: Fields): void {
  const key = Fields.of(message, 'rollout');
  key.string('namespace', AGENT_MESSAGE_BOUNDS.namespaceLength, isNamespace, 'a namespace (a DNS-1123 label of at most 63 characters)');
  key.string('name', AGENT_MESSAGE_BOUNDS.nameLength, isObjectName, 'a name (a DNS-1123 subdomain of at most 253 characters)');
  key.require(
    'kind',
    (value): value is 'Experiment' | undefined => value === undefined || value === 'Experiment',
    'absent or "Experiment"',
  );
}

const optionalTime = (value: unknown): value is string | undefined =>
  value === undefined || (isString(value) && value.length <= AGENT_MESSAGE_BOUNDS.shortStringLength && isIsoTime(value));

function checkPod(pod: Fields): void {
  pod.string('name', AGENT_MESSAGE_BOUNDS.nameLength);
  pod.string('status', AGENT_MESSAGE_BOUNDS.shortStringLength);
  for (const count of ['readyContainers', 'containers', 'restarts']) pod.require(count, isCount, 'a non-negative integer');
  pod.require('startedAt', optionalTime, 'absent or an ISO time');
  pod.require(
    'nodeName',
    optional((value): value is string => isString(value) && value.length <= AGENT_MESSAGE_BOUNDS.nameLength),
    `absent or a string of at most ${AGENT_MESSAGE_BOUNDS.nameLength} characters`,
  );
}

function checkEvent(event: Fields): void {
  event.string('type', AGENT_MESSAGE_BOUNDS.shortStringLength);
  event.string('reason', AGENT_MESSAGE_BOUNDS.shortStringLength);
  event.string('message', AGENT_MESSAGE_BOUNDS.eventMessageLength);
  event.require('count', isCount, 'a non-negative integer');
  event.string('lastSeenAt', AGENT_MESSAGE_BOUNDS.shortStringLength, isIsoTime, 'an ISO time');
  const involved = Fields.of(event, 'involvedObject');
  involved.string('kind', AGENT_MESSAGE_BOUNDS.shortStringLength);
  involved.string('name', AGENT_MESSAGE_BOUNDS.nameLength);
}

/**
 * The stores keep an observed state as it came and read back every key `ObservedRolloutState` requires, so each of
 * them is required here: a state accepted without one would make its rollout's row unreadable.
 */
function checkObservedState(message: Fields): void {
  const state = Fields.of(message, 'state');
  for (const replicaSet of state.list('replicaSets', AGENT_MESSAGE_BOUNDS.replicaSetsPerObservation)) {
    replicaSet.string('podTemplateHash', AGENT_MESSAGE_BOUNDS.namespaceLength);
    replicaSet.each('labels', isString, 'a string');
    replicaSet.each('annotations', isString, 'a string');
    for (const count of ['replicas', 'currentReplicas', 'readyReplicas', 'availableReplicas'])
      replicaSet.require(count, isCount, 'a non-negative integer');
    replicaSet.require('template', isObject, 'a pod template');
    if (replicaSet.get('podProblems') !== undefined) {
      for (const problem of replicaSet.list('podProblems', AGENT_MESSAGE_BOUNDS.podProblemsPerReplicaSet)) {
        problem.string('reason', AGENT_MESSAGE_BOUNDS.shortStringLength);
        problem.require('message', isString, 'a string');
        problem.require('pods', isCount, 'a non-negative integer');
      }
    }
    replicaSet.require('oldestPodCreatedAt', optional(isString), 'an ISO time');
    if (replicaSet.get('pods') !== undefined)
      for (const pod of replicaSet.list('pods', AGENT_MESSAGE_BOUNDS.podsPerReplicaSet)) checkPod(pod);
    replicaSet.require('podsOmitted', optional(isCount), 'absent or a non-negative integer');
  }
  if (state.get('events') !== undefined)
    for (const event of state.list('events', AGENT_MESSAGE_BOUNDS.eventsPerObservation)) checkEvent(event);
  state.each('serviceSelectors', isString, 'a string');
  state.each('trafficWeights', isCount, 'a non-negative integer');
  state.string('observedAt', AGENT_MESSAGE_BOUNDS.shortStringLength, isIsoTime, 'an ISO time');
}

function checkOutcome(message: Fields): void {
  const outcome = Fields.of(message, 'outcome');
  const ok = outcome.require('ok', (value): value is boolean => typeof value === 'boolean', 'a boolean');
  if (ok) {
    outcome.require('rawValue', isString, 'a string');
    outcome.require(
      'phase',
      optional((value): value is string => ['Successful', 'Failed', 'Error', 'Inconclusive'].includes(value as string)),
      'a measurement phase',
    );
  } else {
    outcome.require('error', isString, 'a string');
  }
  outcome.each('metadata', isString, 'a string', true);
}

/**
 * Checks a message from an agent: its type, the fields the control plane routes on and stores, and the bounds of
 * `AGENT_MESSAGE_BOUNDS` everywhere. A refusal names the field (`rollout.namespace`, `state.replicaSets[2].replicas`).
 * Fields a newer agent may add are let through, within the same bounds.
 */
export function decodeAgentMessage(text: string): AgentMessage {
  const parsed = parseObject(text);
  checkEveryValue(parsed);
  const message = new Fields(parsed, '');
  switch (parsed.type) {
    case 'hello':
      message.require('protocolVersion', isCount, 'a version number');
      message.string('agentVersion', AGENT_MESSAGE_BOUNDS.shortStringLength);
      message.require(
        'kubernetesVersion',
        optional((value): value is string => isString(value) && value.length <= AGENT_MESSAGE_BOUNDS.shortStringLength),
        `absent or a string of at most ${AGENT_MESSAGE_BOUNDS.shortStringLength} characters`,
      );
      break;
    case 'heartbeat':
      message.string('sentAt', AGENT_MESSAGE_BOUNDS.shortStringLength, isIsoTime, 'an ISO time');
      break;
    case 'removed':
      checkRolloutKey(message);
      break;
    case 'applied':
      checkRolloutKey(message);
      message.require(
        'desiredVersion',
        isDesiredVersion,
        `a version number (an integer from 0 to ${AGENT_MESSAGE_BOUNDS.maxDesiredVersion})`,
      );
      break;
    case 'observed':
      checkRolloutKey(message);
      message.require(
        'desiredVersion',
        isDesiredVersion,
        `a version number (an integer from 0 to ${AGENT_MESSAGE_BOUNDS.maxDesiredVersion})`,
      );
      checkObservedState(message);
      break;
    case 'observedDigests':
      for (const entry of message.list('rollouts', AGENT_MESSAGE_BOUNDS.entries)) {
        checkRolloutKey(entry);
        entry.require(
          'desiredVersion',
          isDesiredVersion,
          `a version number (an integer from 0 to ${AGENT_MESSAGE_BOUNDS.maxDesiredVersion})`,
        );
        entry.string('digest', AGENT_MESSAGE_BOUNDS.digestLength);
      }
      break;
    case 'measurement':
      message.string('requestId', AGENT_MESSAGE_BOUNDS.requestIdLength);
      checkOutcome(message);
      break;
    default:
      throw new ProtocolError('type', `unknown message type ${String(JSON.stringify(parsed.type)).slice(0, 64)}`);
  }
  return parsed as unknown as AgentMessage;
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
      field(
        message,
        'desired',
        (value): value is Json =>
          isObject(value) && isRolloutKey(value.rollout) && isVersion(value.desiredVersion) && isObject(value.state),
        'a desired rollout',
      );
      return message as unknown as ControlPlaneMessage;
    case 'deleted':
      field(message, 'rollout', isRolloutKey, 'a {namespace, name, kind?} object');
      return message as unknown as ControlPlaneMessage;
    case 'measure':
      field(
        message,
        'request',
        (value): value is Json => isObject(value) && isString(value.requestId) && isObject(value.metric) && isObject(value.run),
        'a measurement request',
      );
      return message as unknown as ControlPlaneMessage;
    case 'observeAgain':
      field(
        message,
        'rollouts',
        (value): value is RolloutKey[] => Array.isArray(value) && value.every(isRolloutKey),
        'an array of rollout keys',
      );
      return message as unknown as ControlPlaneMessage;
    case 'cancel':
      field(message, 'requestIds', (value): value is string[] => Array.isArray(value) && value.every(isString), 'an array of strings');
      return message as unknown as ControlPlaneMessage;
    case 'error':
      field(message, 'message', isString, 'a string');
      return message as unknown as ControlPlaneMessage;
    default:
      throw new ProtocolError('type', `unknown message type ${JSON.stringify(message.type)}`);
  }
}
