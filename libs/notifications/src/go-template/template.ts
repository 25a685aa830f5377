import { executeTemplate } from './executor.js';
import { parseTemplate } from './parser.js';
import type { Operand, Pipeline, TemplateNode } from './syntax-tree.js';
import { TemplateSyntaxError } from './template-error.js';

export interface CompiledTemplate {
  readonly source: string;
  /** Renders the template over `data`; throws `TemplateRenderError` where Go's `text/template` fails. */
  render(data: unknown): string;
}

/**
 * Compiles a Go `text/template` whose data is a map with the given top-level keys: a field of the data that is not
 * one of them (`.app` in a rollout template) is refused here rather than printing `<no value>` later.
 * @example compileTemplate('{{.rollout.metadata.name}} done', ['rollout']).render({ rollout: { metadata: { name: 'guestbook' } } }) // 'guestbook done'
 */
export function compileTemplate(
  source: string,
  roots: readonly string[],
  refusedRoots: Readonly<Record<string, string>> = {},
): CompiledTemplate | TemplateSyntaxError {
  let nodes: TemplateNode[];
  try {
    nodes = parseTemplate(source);
  } catch (failure) {
    if (failure instanceof TemplateSyntaxError) return failure;
    throw failure;
  }
  const unknown = findUnknownRoot(nodes, new Set(roots), true);
  const refusal = unknown && Object.hasOwn(refusedRoots, unknown.name) ? refusedRoots[unknown.name] : undefined;
  if (unknown && refusal !== undefined)
    return new TemplateSyntaxError(`.${unknown.name} is not available to notification templates: ${refusal}`, unknown.position);
  if (unknown)
    return new TemplateSyntaxError(
      `.${unknown.name} is not available to notification templates (they see ${roots.map((root) => `.${root}`).join(', ')})`,
      unknown.position,
    );
  return { source, render: (data) => executeTemplate(nodes, data) };
}

interface RootUse {
  name: string;
  position: number;
}

/** The first `.x` read from the data itself (dot at the top level, or `$`) whose `x` is not a known root. */
function findUnknownRoot(nodes: readonly TemplateNode[], roots: ReadonlySet<string>, dotIsData: boolean): RootUse | undefined {
  for (const node of nodes) {
    const found = findInNode(node, roots, dotIsData);
    if (found) return found;
  }
  return undefined;
}

function findInNode(node: TemplateNode, roots: ReadonlySet<string>, dotIsData: boolean): RootUse | undefined {
  switch (node.kind) {
    case 'text':
    case 'break':
    case 'continue':
      return undefined;
    case 'action':
      return findInPipeline(node.pipeline, roots, dotIsData);
    case 'if':
    case 'with':
      for (const branch of node.branches) {
        const found =
          findInPipeline(branch.pipeline, roots, dotIsData) ?? findUnknownRoot(branch.body, roots, node.kind === 'if' && dotIsData);
        if (found) return found;
      }
      return node.otherwise && findUnknownRoot(node.otherwise, roots, dotIsData);
    case 'range':
      return (
        findInPipeline(node.pipeline, roots, dotIsData) ??
        findUnknownRoot(node.body, roots, false) ??
        (node.otherwise && findUnknownRoot(node.otherwise, roots, dotIsData))
      );
  }
}

function findInPipeline(pipeline: Pipeline, roots: ReadonlySet<string>, dotIsData: boolean): RootUse | undefined {
  for (const command of pipeline.commands)
    for (const operand of command.operands) {
      const found = findInOperand(operand, roots, dotIsData);
      if (found) return found;
    }
  return undefined;
}

function findInOperand(operand: Operand, roots: ReadonlySet<string>, dotIsData: boolean): RootUse | undefined {
  const [first] = operand.kind === 'field' || operand.kind === 'variable' ? operand.names : [];
  const readsData = (operand.kind === 'field' && dotIsData) || (operand.kind === 'variable' && operand.name === '$');
  if (readsData && first !== undefined && !roots.has(first)) return { name: first, position: operand.position };
  return operand.kind === 'group' ? findInPipeline(operand.pipeline, roots, dotIsData) : undefined;
}
