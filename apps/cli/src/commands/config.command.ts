import { ExitCode } from '../cli/cli-error.js';
import type { Command } from '../cli/command.js';
import { currentContext, readContexts, setContext, useContext } from '../config/contexts.js';
import { printedStructured } from '../output/structured.js';
import { formatTable } from '../output/table.js';
import { CLUSTER_FLAG, NAMESPACE_FLAG } from '../rollouts/rollout-lookup.js';

const CONTEXT_DETAILS = [
  'A context names the cluster and namespace that commands on a rollout and apply use when given no',
  '--cluster, as kubectl contexts do; --namespace, when given, replaces its namespace. Contexts are kept in the config',
  'file (~/.config/flotilla/config.yaml, or FLOTILLA_CONFIG) under contexts and current-context.',
];

export const setContextCommand: Command = {
  path: ['config', 'set-context'],
  synopsis: 'NAME [--cluster CLUSTER] [--namespace NAMESPACE] [--server URL]',
  summary: 'Create a context, or change the fields given of one; --server is kept as its API address',
  details: CONTEXT_DETAILS,
  flags: [CLUSTER_FLAG, NAMESPACE_FLAG],
  online: false,
  run({ invocation, terminal, configPath }) {
    const name = invocation.positional(0, 'the context NAME');
    invocation.atMostPositionals(1);
    const context = setContext(configPath, name, {
      cluster: invocation.string('cluster'),
      namespace: invocation.string('namespace'),
      server: invocation.string('server'),
    });
    terminal.out(
      `context ${terminal.style.bold(context.name)} set: cluster ${context.cluster}${context.namespace ? `, namespace ${context.namespace}` : ''}\n`,
    );
    return Promise.resolve(ExitCode.Ok);
  },
};

export const useContextCommand: Command = {
  path: ['config', 'use-context'],
  synopsis: 'NAME',
  summary: 'Make a context the current one',
  details: CONTEXT_DETAILS,
  flags: [],
  online: false,
  run({ invocation, terminal, configPath }) {
    const name = invocation.positional(0, 'the context NAME');
    invocation.atMostPositionals(1);
    useContext(configPath, name);
    terminal.out(`Switched to context "${name}".\n`);
    return Promise.resolve(ExitCode.Ok);
  },
};

export const currentContextCommand: Command = {
  path: ['config', 'current-context'],
  synopsis: '',
  summary: 'Print the name of the current context (exit 3 when none is chosen)',
  flags: [],
  online: false,
  run({ invocation, terminal, configPath }) {
    invocation.atMostPositionals(0);
    const context = currentContext(configPath);
    if (context === undefined) {
      terminal.err('error: current-context is not set\n');
      return Promise.resolve(ExitCode.NotFound);
    }
    terminal.out(`${context.name}\n`);
    return Promise.resolve(ExitCode.Ok);
  },
};

export const getContextsCommand: Command = {
  path: ['config', 'get-contexts'],
  synopsis: '',
  summary: 'List the contexts, the current one marked with *',
  flags: [],
  outputs: ['json', 'yaml'],
  online: false,
  run({ invocation, terminal, output, configPath }) {
    invocation.atMostPositionals(0);
    const { current, contexts } = readContexts(configPath);
    if (printedStructured(terminal, output, { current: current ?? null, contexts })) return Promise.resolve(ExitCode.Ok);
    terminal.out(
      formatTable(
        ['CURRENT', 'NAME', 'CLUSTER', 'NAMESPACE', 'SERVER'],
        contexts.map((context) => [
          context.name === current ? '*' : '',
          context.name,
          context.cluster,
          context.namespace ?? '',
          context.server ?? '',
        ]),
      ),
    );
    return Promise.resolve(ExitCode.Ok);
  },
};

export const configCommands: readonly Command[] = [setContextCommand, useContextCommand, currentContextCommand, getContextsCommand];
