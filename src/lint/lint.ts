/**
 * `istio-custom-ca lint`: streams files through the document rules, keeps only what cross-file rules need per context,
 * applies severities and suppressions, and formats findings (human, JSON, SARIF 2.1.0).
 */
import { relative, resolve } from 'node:path';
import { DEFAULT_ISTIO_VERSION } from '../model/istio-version';
import { ISTIO_DEFAULTS } from '../model/istio-settings';
import { ContextIndex } from './context-index';
import { ContextResolver } from './contexts';
import { detacher, DocProblem, hclDocuments, parseFile } from './documents';
import { CollectedFiles, collectFiles, readText } from './files';
import { globMatcher, Level, LintConfig, Suppression, suppressions } from './lint-config';
import { LintDocument } from './lint-document';
import { Hit, LintContext, LintRule, RULES, Severity } from './rules';
import { convertHclFiles, HclFile } from './terraform-hcl';

/** One finding. */
export interface Finding {
  readonly ruleId: string;
  readonly rule: string;
  readonly severity: Severity;
  readonly file: string;
  /** 1-based document in the file; 0 for a finding about the whole file. */
  readonly document: number;
  readonly path: string;
  readonly line?: number;
  readonly message: string;
  readonly fix: string;
  readonly fact: string;
  readonly helpUri?: string;
  /** The context (documents that deploy together) a cross-file finding was made in. */
  readonly context?: string;
}

/** Lint options: the config file's settings, plus declared contexts from the command line. */
export interface LintOptions extends LintConfig {
  /** Folders whose files deploy together (`--context DIR`). */
  readonly contextDirs?: string[];
  /** Rule ids to skip (`--disable`). */
  readonly disable?: string[];
}

/** The result of a run. */
export interface LintResult {
  readonly files: number;
  readonly documents: number;
  /** Helm templates recognised and skipped (they are YAML only once rendered). */
  readonly templates: number;
  /** Findings silenced by an inline comment with a reason. */
  readonly suppressed: number;
  readonly findings: Finding[];
}

/** Rules about the input itself rather than about a setting. */
export const INPUT_RULES: readonly Pick<LintRule, 'id' | 'name' | 'severity' | 'fact' | 'fix' | 'helpUri'>[] = [
  { id: 'ICA900', name: 'parse-error', severity: 'error', fact: '-', helpUri: 'https://yaml.org/spec/1.2.2/', fix: 'fix the YAML (or, for a Helm template, lint the rendered output of helm template)' },
  { id: 'ICA901', name: 'unreadable-file', severity: 'warning', fact: '-', helpUri: 'https://yaml.org/spec/1.2.2/', fix: 'lint the file on its own, fix it, or list it under ignore: in .istio-custom-ca-lint.yaml' },
  { id: 'ICA903', name: 'terraform-hcl-not-read', severity: 'note', fact: '-', helpUri: 'https://www.npmjs.com/package/@cdktf/hcl2json', fix: 'install @cdktf/hcl2json beside istio-custom-ca to lint .tf files, or lint the .tf.json that terraform or cdktf writes' },
  { id: 'ICA902', name: 'unexpected-shape', severity: 'warning', fact: '-', helpUri: 'https://kubernetes.io/docs/reference/kubernetes-api/', fix: 'check the document against its schema; the other rules still ran' },
];

const RANK: Record<Severity, number> = { error: 3, warning: 2, note: 1 };

function pathText(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_][\w-]*$/.test(p) ? `${i ? '.' : ''}${p}` : `[${JSON.stringify(p)}]`)).join('');
}

/** One run: indexes per context, findings, and the settings that shape them. */
class Run {
  public readonly findings: Finding[] = [];
  public documents = 0;
  public suppressed = 0;
  private readonly indexes = new Map<string, ContextIndex>();
  private readonly silenced = new Map<string, Map<number, Suppression>>();
  private readonly ctx: LintContext;
  private readonly rules: LintRule[];

  public constructor(private readonly options: LintOptions) {
    this.ctx = {
      istioVersion: options.istioVersion ?? DEFAULT_ISTIO_VERSION,
      istioNamespace: options.istioNamespace ?? ISTIO_DEFAULTS.istioNamespace,
      rootNamespace: options.rootNamespace ?? ISTIO_DEFAULTS.rootNamespace,
    };
    this.rules = RULES.filter((r) => this.levelOf(r.id, r.severity) !== 'off');
  }

  private levelOf(id: string, own: Severity): Level | 'off' {
    if (this.options.disable?.includes(id)) return 'off';
    return this.options.rules?.[id] ?? own;
  }

  public index(context: string, namespace?: string, keep?: (doc: LintDocument) => LintDocument): ContextIndex {
    let i = this.indexes.get(context);
    if (!i) this.indexes.set(context, (i = new ContextIndex(context, namespace, keep)));
    return i;
  }

  /** Remembers a file's suppression comments (only files that have one). */
  public noteSuppressions(file: string, text: string): void {
    const s = suppressions(text);
    if (s.size > 0) this.silenced.set(file, s);
  }

  /** Runs the document rules on `doc` and keeps it in its context's index when a cross-file rule needs it. */
  public document(doc: LintDocument, index: ContextIndex): void {
    this.documents++;
    for (const rule of this.rules) {
      if (!rule.checkDocument) continue;
      let hits: Hit[];
      try {
        hits = rule.checkDocument(doc, this.ctx, index);
      } catch (e) {
        this.input('ICA902', doc.file, doc.index, `document ${doc.index} has a shape ${rule.id} cannot read (${(e as Error).message}); its other checks ran`);
        continue;
      }
      for (const h of hits) this.add(rule, h, index.name);
    }
    index.add(doc);
  }

  /** Runs the cross-file rules of every context. */
  public contexts(): void {
    for (const index of this.indexes.values()) {
      for (const rule of this.rules) {
        if (!rule.checkContext) continue;
        try {
          for (const h of rule.checkContext(index, this.ctx)) this.add(rule, h, index.name);
        } catch (e) {
          this.input('ICA902', index.name, 0, `the documents of context ${index.name} have a shape ${rule.id} cannot read (${(e as Error).message})`);
        }
      }
    }
  }

  /** Runs the rules across contexts (the clusters of one mesh). */
  public fleets(): void {
    const indexes = [...this.indexes.values()];
    for (const rule of this.rules) {
      if (!rule.checkFleet) continue;
      try {
        for (const h of rule.checkFleet(indexes, this.ctx)) this.add(rule, h, h.context.name);
      } catch (e) {
        this.input('ICA902', indexes[0]?.name ?? '', 0, `the contexts have a shape ${rule.id} cannot read (${(e as Error).message})`);
      }
    }
  }

  private add(rule: LintRule, hit: Hit, context: string): void {
    const configured = this.levelOf(rule.id, rule.severity) as Severity;
    let severity: Severity = hit.severity && RANK[hit.severity] < RANK[configured] ? hit.severity : configured;
    let message = hit.message;
    if (!hit.doc.evidence && severity !== 'note') {
      severity = 'note';
      message += '. Note: nothing shows that this file configures istiod (no istiod-only key, file name or chart); declare its chart under ' +
        "'charts:' in .istio-custom-ca-lint.yaml to check it fully";
    }
    const line = hit.doc.line(hit.path);
    const s = line === undefined ? undefined : this.silenced.get(hit.doc.file)?.get(line);
    if (s && s.ids.includes(rule.id)) {
      if (s.reason !== '') {
        this.suppressed++;
        return;
      }
      message += `. The istio-custom-ca-lint comment that ignores ${rule.id} here gives no reason; add one after '--' to silence it`;
    }
    const carried = hit.doc.carrier ? ` (in ${hit.doc.carrier})` : '';
    this.findings.push({
      ruleId: rule.id, rule: rule.name, severity, file: hit.doc.file, document: hit.doc.index, path: pathText([...hit.doc.prefix, ...hit.path]),
      line, message: message + carried, fix: rule.fix, fact: rule.fact, helpUri: rule.helpUri,
      context: rule.checkContext || rule.checkFleet ? context : undefined,
    });
  }

  /** A finding about the input (parse error, unreadable file, unexpected shape). */
  public input(id: string, file: string, document: number, message: string, line?: number): void {
    const rule = INPUT_RULES.find((r) => r.id === id)!;
    const level = this.levelOf(id, rule.severity);
    if (level === 'off') return;
    this.findings.push({ ruleId: id, rule: rule.name, severity: level, file, document, path: '', line, message, fix: rule.fix, fact: rule.fact, helpUri: rule.helpUri });
  }

  public problems(problems: readonly DocProblem[]): void {
    for (const p of problems) this.input('ICA900', p.file, 0, p.message, p.line);
  }
}

function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0) || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)));
}

/** Lints parsed documents (files grouped into contexts by folder, as `lintPaths` does without declared contexts). */
export function lintDocuments(docs: readonly LintDocument[], options: LintOptions = {}): Finding[] {
  const run = new Run(options);
  const resolver = new ContextResolver([], []);
  for (const doc of docs) {
    const c = resolver.contextOf(doc.file);
    run.document(doc, run.index(c.name, c.namespace));
  }
  run.contexts();
  run.fleets();
  return sortFindings(run.findings);
}

/**
 * Lints files and folders: one file at a time, only the cross-file index kept. Terraform HCL (`.tf`) needs the
 * asynchronous converter: `lintPathsAsync` (and the CLI) read it; here it is reported as not read.
 */
export function lintPaths(paths: readonly string[], options: LintOptions = {}): LintResult {
  return lintCollected(paths, options, collectFiles(paths, globMatcher(options.ignore ?? [])));
}

/** `lintPaths`, and Terraform HCL converted with `@cdktf/hcl2json` when it is installed. */
export async function lintPathsAsync(paths: readonly string[], options: LintOptions = {}): Promise<LintResult> {
  const collected = collectFiles(paths, globMatcher(options.ignore ?? []));
  const hcl = await convertHclFiles(collected.hcl);
  return lintCollected(paths, options, collected, hcl ?? '@cdktf/hcl2json is not installed (npm install -D @cdktf/hcl2json)');
}

/** `hcl`: the converted `.tf` files, or why none were read. */
function lintCollected(paths: readonly string[], options: LintOptions, collected: CollectedFiles,
  hcl: ReadonlyMap<string, HclFile> | string = 'lintPaths reads no HCL (use lintPathsAsync or the CLI)'): LintResult {
  const run = new Run(options);
  for (const p of collected.problems) run.input('ICA901', p.file, 0, `${p.file} ${p.message}`);
  const resolver = new ContextResolver(paths.map((p) => resolve(p)),
    [...(options.contexts ?? []), ...(options.contextDirs ?? []).map((d) => ({ name: d, paths: [d] }))],
    new Map((options.charts ?? []).map((c) => [resolve(c.path), c.chart])));
  const keep = detacher((f) => readText(f).text);
  let templates = 0;
  const lint = (file: string, docs: readonly LintDocument[]) => {
    const c = resolver.contextOf(file);
    const index = run.index(c.name, c.namespace, keep);
    for (const doc of docs) run.document(doc, index);
  };
  for (const file of collected.files) {
    const read = readText(file);
    if (read.problem !== undefined) {
      run.input('ICA901', file, 0, `${file} ${read.problem}`);
      continue;
    }
    const parsed = parseFile(file, read.text!, { chart: resolver.chartOf(file) });
    if (parsed.template) templates++;
    run.problems(parsed.problems);
    run.noteSuppressions(file, read.text!);
    lint(file, parsed.docs);
  }
  if (typeof hcl === 'string' && collected.hcl.length > 0) {
    run.input('ICA903', collected.hcl[0], 0, `${collected.hcl.length} Terraform HCL file(s) not read: ${hcl}`);
  }
  for (const [file, h] of typeof hcl === 'string' ? [] : hcl) {
    if (h.problem) run.input(h.problem.id, file, 0, h.problem.message);
    if (!h.data) continue;
    run.noteSuppressions(file, h.text!);
    lint(file, hclDocuments(file, h.data, h.text!));
  }
  run.contexts();
  run.fleets();
  return {
    files: collected.files.length + (typeof hcl === 'string' ? 0 : collected.hcl.length), documents: run.documents, templates,
    suppressed: run.suppressed, findings: sortFindings(run.findings),
  };
}

/** Does the result fail at `failOn` (default: error)? */
export function fails(result: LintResult, failOn: Level | 'none' = 'error'): boolean {
  return failOn !== 'none' && result.findings.some((f) => RANK[f.severity] >= RANK[failOn]);
}

/** Human-readable report. */
export function formatHuman(result: LintResult, cwd = process.cwd()): string {
  const lines = result.findings.map((f) =>
    `${relative(cwd, f.file)}${f.line ? `:${f.line}` : ''}${f.document ? ` (document ${f.document})` : ''}${f.path ? ` ${f.path}` : ''}\n` +
    `  ${f.severity} ${f.ruleId} ${f.rule}: ${f.message}\n  fix: ${f.fix}${f.fact !== '-' ? ` (docs/reference.md ${f.fact}` : ' ('}${f.helpUri ? `${f.fact !== '-' ? '; ' : ''}${f.helpUri}` : ''})`);
  const count = (s: Severity) => result.findings.filter((f) => f.severity === s).length;
  lines.push(`${count('error')} error(s), ${count('warning')} warning(s), ${count('note')} note(s) in ${result.files} file(s), ${result.documents} document(s) checked` +
    (result.templates ? `; ${result.templates} Helm template file(s) skipped (lint the output of helm template instead)` : '') +
    (result.suppressed ? `; ${result.suppressed} finding(s) silenced by comments` : ''));
  return `${lines.join('\n')}\n`;
}

/** JSON report. */
export function formatJson(result: LintResult): string {
  return `${JSON.stringify(result, undefined, 2)}\n`;
}

/** SARIF 2.1.0 report for code-scanning UIs: levels, rule help and a helpUri per rule. */
export function formatSarif(result: LintResult, version: string, cwd = process.cwd()): string {
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'istio-custom-ca',
          version,
          rules: [...RULES, ...INPUT_RULES].map((r) => ({
            id: r.id, name: r.name,
            shortDescription: { text: r.name.replace(/-/g, ' ') },
            help: { text: `${r.fix}${r.fact !== '-' ? ` (docs/reference.md ${r.fact})` : ''}` },
            helpUri: r.helpUri,
            defaultConfiguration: { level: r.severity },
          })),
        },
      },
      results: result.findings.map((f) => ({
        ruleId: f.ruleId,
        level: f.severity,
        message: { text: `${f.path ? `${f.path}: ` : ''}${f.message}. Fix: ${f.fix}` },
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

