/**
 * `istio-custom-ca lint`: runs the rules over documents and formats findings (human, JSON, SARIF 2.1.0).
 */
import { relative } from 'node:path';
import { DEFAULT_ISTIO_VERSION } from '../model/istio-version';
import { ISTIO_DEFAULTS } from '../model/istio-settings';
import { collectFiles, LintDocument, readDocuments } from './documents';
import { LintContext, RULES, Severity } from './rules';

/** One finding. */
export interface Finding {
  readonly ruleId: string;
  readonly rule: string;
  readonly severity: Severity;
  readonly file: string;
  readonly document: number;
  readonly path: string;
  readonly line?: number;
  readonly message: string;
  readonly fix: string;
  readonly fact: string;
}

/** Lint options. */
export interface LintOptions {
  readonly istioVersion?: string;
  readonly istioNamespace?: string;
  readonly rootNamespace?: string;
}

/** The result of a run. */
export interface LintResult {
  readonly files: number;
  readonly documents: number;
  readonly findings: Finding[];
}

function pathText(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_][\w-]*$/.test(p) ? `${i ? '.' : ''}${p}` : `[${JSON.stringify(p)}]`)).join('');
}

/** Lints parsed documents. */
export function lintDocuments(docs: readonly LintDocument[], options: LintOptions = {}): Finding[] {
  const ctx: LintContext = {
    istioVersion: options.istioVersion ?? DEFAULT_ISTIO_VERSION,
    istioNamespace: options.istioNamespace ?? ISTIO_DEFAULTS.istioNamespace,
    rootNamespace: options.rootNamespace ?? ISTIO_DEFAULTS.rootNamespace,
  };
  const findings: Finding[] = [];
  for (const rule of RULES) {
    for (const hit of rule.check(docs, ctx)) {
      const full = [...hit.doc.prefix, ...hit.path];
      findings.push({
        ruleId: rule.id, rule: rule.name, severity: rule.severity, file: hit.doc.file, document: hit.doc.index,
        path: pathText(full), line: hit.doc.line(hit.path), message: hit.message, fix: rule.fix, fact: rule.fact,
      });
    }
  }
  return findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0) || (a.ruleId < b.ruleId ? -1 : 1)));
}

/** Lints files and folders. */
export function lintPaths(paths: readonly string[], options: LintOptions = {}): LintResult {
  const files = collectFiles(paths);
  const docs = readDocuments(files);
  return { files: files.length, documents: docs.length, findings: lintDocuments(docs, options) };
}

/** Human-readable report. */
export function formatHuman(result: LintResult, cwd = process.cwd()): string {
  const lines = result.findings.map((f) =>
    `${relative(cwd, f.file)}${f.line ? `:${f.line}` : ''} (document ${f.document}) ${f.path}\n` +
    `  ${f.severity} ${f.ruleId} ${f.rule}: ${f.message}\n  fix: ${f.fix} (docs/reference.md ${f.fact})`);
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  const warnings = result.findings.length - errors;
  lines.push(`${errors} error(s), ${warnings} warning(s) in ${result.files} file(s), ${result.documents} document(s) checked`);
  return `${lines.join('\n')}\n`;
}

/** JSON report. */
export function formatJson(result: LintResult): string {
  return `${JSON.stringify(result, undefined, 2)}\n`;
}

/** SARIF 2.1.0 report for code-scanning UIs. */
export function formatSarif(result: LintResult, version: string, cwd = process.cwd()): string {
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'istio-custom-ca',
          version,
          rules: RULES.map((r) => ({
            id: r.id, name: r.name,
            shortDescription: { text: r.name.replace(/-/g, ' ') },
            help: { text: `${r.fix} (docs/reference.md ${r.fact})` },
            defaultConfiguration: { level: r.severity },
          })),
        },
      },
      results: result.findings.map((f) => ({
        ruleId: f.ruleId,
        level: f.severity,
        message: { text: `${f.path}: ${f.message}. Fix: ${f.fix}` },
        locations: [{
          physicalLocation: {
            artifactLocation: { uri: relative(cwd, f.file).split('\\').join('/') },
            ...(f.line ? { region: { startLine: f.line } } : {}),
          },
        }],
      })),
    }],
  };
  return `${JSON.stringify(sarif, undefined, 2)}\n`;
}
