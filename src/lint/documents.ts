/**
 * Parsing configuration for the linter: multi-document YAML and JSON, each document classified by what reads it.
 * Parse errors, alias bombs and Helm templates become problems or counts, never a crash; `kind: List` items and the
 * shapes teams deploy (carriers.ts) are unwrapped into the same documents the rules read.
 */
import { Document, LineCounter, parseAllDocuments } from 'yaml';
import { unwrapCarriers } from './carriers';
import { hclLine } from './terraform-hcl';
import { classifyValues, DocKind, isObject, LintDocument } from './lint-document';

export { DocKind, LintDocument } from './lint-document';

/** Something in a file that stopped part of it from being linted. */
export interface DocProblem {
  readonly file: string;
  readonly line?: number;
  readonly message: string;
}

/** The documents of one file. */
export interface ParsedFile {
  readonly docs: LintDocument[];
  readonly problems: DocProblem[];
  /** A Helm template (not YAML until rendered): skipped and counted. */
  readonly template: boolean;
}

/** Expansion budget for aliases per document: benign anchors pass, an exponential "billion laughs" does not. */
const MAX_ALIAS_COUNT = 10_000;

function classify(data: unknown, file: string, chart?: string): { kind: DocKind; evidence: boolean } | undefined {
  if (!isObject(data)) return undefined;
  if (typeof data.apiVersion === 'string' && typeof data.kind === 'string') {
    return { kind: data.kind === 'IstioOperator' ? DocKind.ISTIO_OPERATOR : DocKind.MANIFEST, evidence: true };
  }
  if (file.endsWith('.tf') || file.endsWith('.tf.json') || (file.endsWith('.json') && (data.resource || data.terraform || data.provider))) {
    return { kind: DocKind.TERRAFORM, evidence: true };
  }
  if (Array.isArray(data.groups)) return { kind: DocKind.PROMETHEUS_RULES, evidence: true };
  return classifyValues(data, file, chart);
}

/** Options of `parseDocuments`. */
export interface ParseOptions {
  /** The chart whose values this file holds (from a Chart.yaml beside it or the config). */
  readonly chart?: string;
}

function lineOf(doc: Document, lineCounter: LineCounter) {
  return (path: readonly (string | number)[]) => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
}

/** A template action Helm would render (`{{ .Values.x }}`, `{{- include … }}`), as opposed to a Prometheus `{{ $labels.x }}`. */
const HELM_ACTION = /\{\{-?\s*(\.Values|\.Release|\.Chart|\.Capabilities|include|template|if |range |with |define |toYaml|tpl |end\b|else\b)/;

/** Parses one file's content into classified documents; unknown documents are skipped. */
export function parseDocuments(file: string, text: string, options: ParseOptions = {}): LintDocument[] {
  return parseFile(file, text, options).docs;
}

/** Parses one file: its documents, what could not be read, and whether it is a Helm template. */
export function parseFile(file: string, text: string, options: ParseOptions = {}): ParsedFile {
  if (/[\\/]templates[\\/]/.test(file) && HELM_ACTION.test(text)) return { docs: [], problems: [], template: true };
  if (file.endsWith('.json')) {
    const fast = parseJson(file, text, options);
    if (fast) return fast;
  }
  const lineCounter = new LineCounter();
  let parsed: Document[];
  try {
    parsed = parseAllDocuments(text, { lineCounter, uniqueKeys: false, logLevel: 'silent' }) as Document[];
    if (!Array.isArray(parsed)) parsed = [];
  } catch (e) {
    return { docs: [], problems: [{ file, message: `is not YAML: ${(e as Error).message}` }], template: false };
  }
  const docs: LintDocument[] = [];
  const problems: DocProblem[] = [];
  let template = false;
  parsed.forEach((doc, i) => {
    if (doc.errors.length > 0) {
      // A template only when this document holds the Helm action; a broken document beside a template is still an error.
      if (HELM_ACTION.test(doc.range ? text.slice(doc.range[0], doc.range[2]) : text)) {
        template = true;
        return;
      }
      const e = doc.errors[0];
      problems.push({ file, line: e.linePos?.[0]?.line, message: `document ${i + 1} is not valid YAML: ${e.message.split('\n')[0]}` });
      return;
    }
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      problems.push({ file, line: doc.range ? lineCounter.linePos(doc.range[0]).line : undefined, message: `document ${i + 1} cannot be expanded: ${(e as Error).message}` });
      return;
    }
    addDocument(docs, file, i + 1, data, lineOf(doc, lineCounter), options.chart);
  });
  return { docs, problems, template };
}

/** JSON fast path: `JSON.parse` (a 1 MB single-line array takes milliseconds); lines are found only when a finding needs one. */
function parseJson(file: string, text: string, options: ParseOptions): ParsedFile | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined; // JSON with comments or YAML in a .json file: the YAML parser reports what is wrong.
  }
  let trees: SyntaxTrees | undefined;
  const line = (path: readonly (string | number)[]) => (trees ??= syntaxTrees(text)).line(1, path);
  const docs: LintDocument[] = [];
  addDocument(docs, file, 1, data, line, options.chart);
  return { docs, problems: [], template: false };
}

/** The documents of a `.tf` file already converted to Terraform JSON (terraform-hcl.ts); lines are found in the HCL text. */
export function hclDocuments(file: string, data: Record<string, any>, text: string): LintDocument[] {
  const docs: LintDocument[] = [];
  addDocument(docs, file, 1, data, hclLine(text));
  return docs;
}

/** A file's documents as syntax trees, to find the line of a path (in document `index`, 1-based). */
interface SyntaxTrees {
  line(index: number, path: readonly (string | number)[]): number | undefined;
}

/** The syntax trees of a file's text: HCL for `.tf` files (one document), YAML/JSON otherwise. */
function treesOf(file: string, text: string): SyntaxTrees {
  if (!file.endsWith('.tf')) return syntaxTrees(text);
  const line = hclLine(text);
  return { line: (_index, path) => line(path) };
}

function syntaxTrees(text: string): SyntaxTrees {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false, logLevel: 'silent' }) as Document[];
  return { line: (index, path) => (Array.isArray(docs) && docs[index - 1] ? lineOf(docs[index - 1], lineCounter)(path) : undefined) };
}

/**
 * For one run: turns a document into the same document with a `line` that re-reads its file on first use, so a
 * document kept for cross-file rules does not hold its file's syntax tree (the last file re-read is cached).
 */
export function detacher(read: (file: string) => string | undefined): (doc: LintDocument) => LintDocument {
  let last: { file: string; trees: SyntaxTrees } | undefined;
  return (doc) => {
    // Only these are captured: the closure must not hold `doc`, whose own `line` holds the file's syntax tree.
    const { file, index, prefix } = doc;
    return {
      ...doc,
      line: (path) => {
        if (last?.file !== file) {
          const text = read(file);
          last = { file, trees: text === undefined ? { line: () => undefined } : treesOf(file, text) };
        }
        return last.trees.line(index, [...prefix, ...path]);
      },
    };
  };
}

/** Adds a document (at `prefix` in its file's document), the items of a `kind: List`, and what carriers hold inside it. */
function addDocument(out: LintDocument[], file: string, index: number, data: unknown, line: LintDocument['line'], chart?: string,
  prefix: readonly (string | number)[] = []): void {
  if (isObject(data) && data.kind === 'List' && Array.isArray(data.items)) {
    data.items.forEach((item: unknown, i: number) => addDocument(out, file, index, item, (p) => line(['items', i, ...p]), undefined, [...prefix, 'items', i]));
    return;
  }
  const c = classify(data, file, chart);
  if (c) out.push({ file, index, ...c, data, prefix, line });
  if (isObject(data)) out.push(...unwrapCarriers(data, file, index, line, prefix, c?.kind));
}
