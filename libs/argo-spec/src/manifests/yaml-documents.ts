import { CST, Lexer, parseAllDocuments, type YAMLError } from 'yaml';
import { MAX_NESTING_DEPTH } from '../limits.js';
import type { FieldIssue } from './issues.js';

/** One non-empty document of a YAML stream: its plain value, or why it could not be read. */
export type YamlDocument = { readable: true; value: unknown } | { readable: false; issues: FieldIssue[] };

// Aliases can expand a small text into a huge value ("billion laughs"); manifests never need many.
const MAX_ALIAS_COUNT = 100;

function describeYamlError(error: YAMLError): FieldIssue {
  const reason = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? error.message;
  const position = error.linePos?.[0];
  const where = position === undefined ? '' : ` at line ${position.line}, column ${position.col}`;
  return { path: '', message: `invalid YAML${where}: ${reason}` };
}

/**
 * The line where `[` and `{` first open more than MAX_NESTING_DEPTH deep, counting every bracket, quoted or not.
 * The YAML reader recurses per level and slows down with depth, so such text is refused before it is read.
 */
function lineOfExcessiveBracketNesting(text: string): number | undefined {
  let depth = 0;
  let line = 1;
  for (let index = 0; index < text.length; index += 1) {
    const character = text.charCodeAt(index);
    if (character === 0x0a) line += 1;
    else if (character === 0x5b || character === 0x7b) {
      depth += 1;
      if (depth > MAX_NESTING_DEPTH) return line;
    } else if ((character === 0x5d || character === 0x7d) && depth > 0) depth -= 1;
  }
  return undefined;
}

/**
 * Block collections read before the documents' own depth check names the field that nests past MAX_NESTING_DEPTH.
 * Both the reader and the parser recurse per level (closing 50,000 levels at once overflows the parser), so text
 * deeper than this is refused before it is read.
 */
const MAX_READABLE_BLOCK_COLUMNS = 2 * MAX_NESTING_DEPTH;

/** Tokens of the lexer that stand for no text: they only tell the parser what follows. */
const CONTROL_TOKENS = new Set([CST.DOCUMENT, CST.FLOW_END, CST.SCALAR, CST.BOM]);
/** Tokens that begin a node (or its properties); the text after a `CST.SCALAR` token is one too. */
const NODE_TOKENS = new Set<string>([
  'alias',
  'anchor',
  'tag',
  'single-quoted-scalar',
  'double-quoted-scalar',
  'block-scalar-header',
  'flow-map-start',
  'flow-seq-start',
]);

/**
 * The line where block collections (`- - - x`, or a mapping indented one more space a line) first nest more than
 * MAX_READABLE_BLOCK_COLUMNS deep, read from the lexer's tokens, so that quoted and block scalars count for nothing
 * and flow collections are left to `lineOfExcessiveBracketNesting`. Each column where an open entry (`-`, `?`, a key)
 * begins counts once; as a sequence may sit at its parent key's column, the text nests at most twice as deep.
 * @example lineOfExcessiveBlockNesting('a:\n- b: 1\n  c: [2]\n') === undefined
 */
function lineOfExcessiveBlockNesting(text: string): number | undefined {
  const openEntryColumns: number[] = [];
  let line = 1;
  let column = 0;
  let flowDepth = 0;
  // Where the node being read began, since the line or the last entry began.
  let nodeColumn: number | undefined;
  let scalarTextFollows = false;
  const enterAt = (entryColumn: number): boolean => {
    while ((openEntryColumns.at(-1) ?? -1) >= entryColumn) openEntryColumns.pop();
    openEntryColumns.push(entryColumn);
    nodeColumn = undefined;
    return openEntryColumns.length > MAX_READABLE_BLOCK_COLUMNS;
  };
  for (const source of new Lexer().lex(text)) {
    const isScalarText = scalarTextFollows;
    scalarTextFollows = source === CST.SCALAR;
    if (CONTROL_TOKENS.has(source)) continue;
    const type = isScalarText ? undefined : CST.tokenType(source);
    if (isScalarText || (type && NODE_TOKENS.has(type))) nodeColumn ??= column;
    if (type === 'flow-map-start' || type === 'flow-seq-start') flowDepth += 1;
    else if ((type === 'flow-map-end' || type === 'flow-seq-end') && flowDepth > 0) flowDepth -= 1;
    else if (flowDepth === 0) {
      if ((type === 'seq-item-ind' || type === 'explicit-key-ind') && enterAt(column)) return line;
      // After a key, `:` is an entry where the key began; first on its line, it is the value of an explicit `?` key.
      if (type === 'map-value-ind' && enterAt(nodeColumn ?? column)) return line;
      if (type === 'doc-start' || type === 'doc-end') openEntryColumns.length = 0;
    }
    const lastNewline = source.lastIndexOf('\n');
    if (lastNewline === -1) {
      column += source.length;
    } else {
      line += source.split('\n').length - 1;
      column = source.length - lastNewline - 1;
      nodeColumn = undefined;
    }
  }
  return undefined;
}

const unreadable = (message: string): YamlDocument => ({ readable: false, issues: [{ path: '', message }] });

/**
 * Splits a multi-document YAML text into its documents, read as YAML 1.2 with the core schema.
 * Documents with no content (nothing between two `---`, only comments, or a bare `null`) are dropped,
 * so a trailing `---` adds nothing; a document that cannot be read is kept, with its line and column.
 * @example readYamlDocuments('a: 1\n---\n---\nb: 2\n').length === 2
 */
export function readYamlDocuments(text: string): YamlDocument[] {
  const bracketLine = lineOfExcessiveBracketNesting(text);
  if (bracketLine !== undefined) {
    return [unreadable(`invalid YAML at line ${bracketLine}: brackets nest deeper than ${MAX_NESTING_DEPTH} levels`)];
  }
  const blockLine = lineOfExcessiveBlockNesting(text);
  if (blockLine !== undefined) {
    return [unreadable(`invalid YAML at line ${blockLine}: block collections nest deeper than ${MAX_NESTING_DEPTH} levels`)];
  }
  let parsed: ReturnType<typeof parseAllDocuments>;
  try {
    parsed = parseAllDocuments(text, { version: '1.2', schema: 'core', uniqueKeys: true, prettyErrors: true });
  } catch (error) {
    if (error instanceof RangeError) return [unreadable(`invalid YAML: ${error.message}`)];
    throw error;
  }
  const documents: YamlDocument[] = [];
  for (const document of parsed) {
    if (document.errors.length > 0) {
      documents.push({ readable: false, issues: document.errors.map(describeYamlError) });
      continue;
    }
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      documents.push(unreadable(`invalid YAML: ${error instanceof Error ? error.message : String(error)}`));
      continue;
    }
    if (value !== null && value !== undefined) documents.push({ readable: true, value });
  }
  return documents;
}
