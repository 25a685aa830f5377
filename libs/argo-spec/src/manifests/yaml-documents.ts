import { parseAllDocuments, type YAMLError } from 'yaml';
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
 * Splits a multi-document YAML text into its documents, read as YAML 1.2 with the core schema.
 * Documents with no content (nothing between two `---`, only comments, or a bare `null`) are dropped,
 * so a trailing `---` adds nothing; a document that cannot be read is kept, with its line and column.
 * @example readYamlDocuments('a: 1\n---\n---\nb: 2\n').length === 2
 */
export function readYamlDocuments(text: string): YamlDocument[] {
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
