import { parseAllDocuments, type YAMLError } from 'yaml';
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
function lineOfExcessiveNesting(text: string): number | undefined {
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
 * Splits a multi-document YAML text into its documents, read as YAML 1.2 with the core schema.
 * Documents with no content (nothing between two `---`, only comments, or a bare `null`) are dropped,
 * so a trailing `---` adds nothing; a document that cannot be read is kept, with its line and column.
 * @example readYamlDocuments('a: 1\n---\n---\nb: 2\n').length === 2
 */
export function readYamlDocuments(text: string): YamlDocument[] {
  const nestingLine = lineOfExcessiveNesting(text);
  if (nestingLine !== undefined) {
    return [
      {
        readable: false,
        issues: [{ path: '', message: `invalid YAML at line ${nestingLine}: brackets nest deeper than ${MAX_NESTING_DEPTH} levels` }],
      },
    ];
  }
  const documents: YamlDocument[] = [];
  for (const document of parseAllDocuments(text, { version: '1.2', schema: 'core', uniqueKeys: true, prettyErrors: true })) {
    if (document.errors.length > 0) {
      documents.push({ readable: false, issues: document.errors.map(describeYamlError) });
      continue;
    }
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      documents.push({ readable: false, issues: [{ path: '', message: `invalid YAML: ${reason}` }] });
      continue;
    }
    if (value !== null && value !== undefined) documents.push({ readable: true, value });
  }
  return documents;
}
