import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { CliError, ExitCode, usageError } from '../cli/cli-error.js';

/** Where commands on a rollout go when they name no cluster, as a kubectl context does. */
export interface CliContext {
  name: string;
  cluster: string;
  namespace?: string;
  server?: string;
}

export interface Contexts {
  current: string | undefined;
  contexts: CliContext[];
}

const CONTEXT_KEYS = ['cluster', 'namespace', 'server'] as const;
const NAME_PATTERN = /^[a-z0-9]([-a-z0-9._]{0,61}[a-z0-9])?$/i;

function failure(path: string, problem: string): CliError {
  return new CliError(ExitCode.Failure, `${path}: ${problem}`);
}

/** The config file as a YAML document, comments kept; an empty one when it does not exist. */
function readDocument(path: string): Document {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const document = parseDocument(text);
  if (document.errors.length > 0) throw failure(path, document.errors[0]?.message ?? 'not YAML');
  if (document.contents !== null && !isMap(document.contents)) throw failure(path, 'must be a mapping');
  return document;
}

function contextAt(path: string, value: unknown, index: number): CliContext {
  const where = `contexts[${index}]`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw failure(path, `${where} must be a mapping`);
  const entry = value as Record<string, unknown>;
  if (typeof entry.name !== 'string' || entry.name === '') throw failure(path, `${where}.name must be a string`);
  if (typeof entry.cluster !== 'string' || entry.cluster === '') throw failure(path, `${where}.cluster must be a string`);
  const context: CliContext = { name: entry.name, cluster: entry.cluster };
  for (const key of ['namespace', 'server'] as const) {
    const field = entry[key];
    if (field === undefined) continue;
    if (typeof field !== 'string') throw failure(path, `${where}.${key} must be a string`);
    context[key] = field;
  }
  return context;
}

/** The contexts of the config file at `path` and the current one's name, validated with the field path of any problem. */
export function readContexts(path: string): Contexts {
  const plain = (readDocument(path).toJS() ?? {}) as Record<string, unknown>;
  const list = plain.contexts ?? [];
  if (!Array.isArray(list)) throw failure(path, 'contexts must be a list');
  const current = plain['current-context'];
  if (current !== undefined && typeof current !== 'string') throw failure(path, 'current-context must be a string');
  return { current, contexts: list.map((entry, index) => contextAt(path, entry, index)) };
}

/** The context in use, or `undefined` when none is chosen; a chosen one that is missing is an error. */
export function currentContext(path: string): CliContext | undefined {
  const { current, contexts } = readContexts(path);
  if (current === undefined || current === '') return undefined;
  const found = contexts.find((context) => context.name === current);
  if (found === undefined) throw failure(path, `current-context is "${current}", but no context has that name`);
  return found;
}

function writeDocument(path: string, document: Document): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, document.toString(), { mode: 0o600 });
  // The file may hold a token: keep it private even when it existed with wider permissions.
  chmodSync(path, 0o600);
}

/** Makes `name` the current context; it must exist. */
export function useContext(path: string, name: string): void {
  const { contexts } = readContexts(path);
  if (!contexts.some((context) => context.name === name))
    throw new CliError(
      ExitCode.NotFound,
      `no context named ${name}`,
      contexts.length === 0
        ? ['create one with: flotilla config set-context NAME --cluster CLUSTER']
        : contexts.map((context) => context.name),
    );
  const document = readDocument(path);
  document.set('current-context', name);
  writeDocument(path, document);
}

/** Creates the context `name`, or changes the fields given of an existing one. */
export function setContext(path: string, name: string, fields: Partial<Omit<CliContext, 'name'>>): CliContext {
  if (!NAME_PATTERN.test(name)) throw usageError(`a context name is letters, digits, '-', '.' and '_', at most 63, not "${name}"`);
  const existing = readContexts(path).contexts.find((context) => context.name === name);
  const merged: CliContext = { name, ...existing, ...definedFields(fields) } as CliContext;
  if (merged.cluster === undefined || merged.cluster === '') throw usageError(`the new context ${name} needs --cluster`);
  const document = readDocument(path);
  const list = document.get('contexts');
  const entryFields = CONTEXT_KEYS.flatMap((key): [string, string][] => {
    const value = merged[key];
    return value ? [[key, value]] : [];
  });
  const entry: Record<string, string> = { name, ...Object.fromEntries(entryFields) };
  if (!isSeq(list)) document.set('contexts', [entry]);
  else {
    const index = list.items.findIndex((item) => isMap(item) && item.get('name') === name);
    if (index < 0) list.add(document.createNode(entry));
    else list.set(index, document.createNode(entry));
  }
  writeDocument(path, document);
  return merged;
}

const definedFields = (fields: Partial<Omit<CliContext, 'name'>>): Partial<CliContext> =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
