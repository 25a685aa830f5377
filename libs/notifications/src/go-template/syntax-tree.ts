/** The parsed form of a Go `text/template`: the subset Argo's notification templates use. */

export type TemplateNode =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipeline: Pipeline; position: number }
  | { kind: 'if'; branches: ConditionalBranch[]; otherwise: TemplateNode[] | undefined }
  | { kind: 'with'; branches: ConditionalBranch[]; otherwise: TemplateNode[] | undefined }
  | { kind: 'range'; pipeline: Pipeline; body: TemplateNode[]; otherwise: TemplateNode[] | undefined; position: number }
  | { kind: 'break'; position: number }
  | { kind: 'continue'; position: number };

export interface ConditionalBranch {
  pipeline: Pipeline;
  body: TemplateNode[];
  position: number;
}

/** `$a, $b := cmd | cmd` (declare), `$a = cmd` (assign) or just the commands. */
export interface Pipeline {
  variables: string[];
  mode: 'declare' | 'assign' | 'none';
  commands: Command[];
  position: number;
}

export interface Command {
  operands: Operand[];
  position: number;
}

export type Operand =
  /** `.a.b` from dot. */
  | { kind: 'field'; names: string[]; position: number }
  | { kind: 'dot'; position: number }
  /** `$`, `$x`, `$x.a.b`. */
  | { kind: 'variable'; name: string; names: string[]; position: number }
  /** `(pipeline)` and any `.a.b` after it. */
  | { kind: 'group'; pipeline: Pipeline; names: string[]; position: number }
  | { kind: 'function'; name: string; position: number }
  | { kind: 'literal'; value: string | number | boolean | null; position: number };
