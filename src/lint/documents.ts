/**
 * Reading configuration for the linter: multi-document YAML and JSON files (JSON is parsed as YAML, so every
 * finding gets a line), classified by what reads them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Document, isScalar, LineCounter, parseAllDocuments, parse as parseYaml } from 'yaml';

/** What a document is, by who reads it. */
export enum DocKind {
  /** A Kubernetes object (apiVersion + kind). */
  MANIFEST = 'manifest',
  /** An IstioOperator file for `istioctl install -f`. */
  ISTIO_OPERATOR = 'istio-operator',
  /** istiod (istio-discovery) Helm values. */
  ISTIOD_VALUES = 'istiod-values',
  /** cert-manager-istio-csr Helm values. */
  ISTIO_CSR_VALUES = 'istio-csr-values',
  /** A plain Prometheus rule file (`groups:`), also when embedded in a ConfigMap. */
  PROMETHEUS_RULES = 'prometheus-rules',
  /** Terraform JSON configuration. */
  TERRAFORM = 'terraform',
}

/** One parsed document. */
export interface LintDocument {
  readonly file: string;
  /** 1-based position of the document in its file. */
  readonly index: number;
  readonly kind: DocKind;
  readonly data: any;
  /** Path prefix when the document is embedded in another (a rule file in a ConfigMap key). */
  readonly prefix: readonly (string | number)[];
  /** Line (1-based) of a path inside this document, when known. */
  line(path: readonly (string | number)[]): number | undefined;
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Files below the given files or folders (recursively), sorted, YAML and JSON only. */
export function collectFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (name === 'node_modules' || name.startsWith('.')) continue;
        walk(join(p, name));
      }
    } else if (EXTENSIONS.has(extname(p).toLowerCase())) {
      out.push(p);
    }
  };
  for (const p of paths) walk(p);
  return out;
}

function classify(data: any, file: string): DocKind | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  if (typeof data.apiVersion === 'string' && typeof data.kind === 'string') {
    return data.kind === 'IstioOperator' ? DocKind.ISTIO_OPERATOR : DocKind.MANIFEST;
  }
  if (file.endsWith('.json') && (data.resource || data.terraform || data.provider)) return DocKind.TERRAFORM;
  if (Array.isArray(data.groups)) return DocKind.PROMETHEUS_RULES;
  if (data.app && typeof data.app === 'object' && (data.app.tls || data.app.server || data.app.certmanager)) return DocKind.ISTIO_CSR_VALUES;
  if (data.meshConfig || data.env || data.pilot || data.global) return DocKind.ISTIOD_VALUES;
  return undefined;
}

/** Parses one file's content into classified documents; unknown documents are skipped. */
export function parseDocuments(file: string, text: string): LintDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false }) as Document[] | { errors: unknown[] };
  if (!Array.isArray(docs)) return [];
  const out: LintDocument[] = [];
  docs.forEach((doc, i) => {
    if (doc.errors.length > 0) return;
    const data = doc.toJS({ maxAliasCount: 100 });
    const line = (path: readonly (string | number)[]) => {
      for (let n = path.length; n >= 0; n--) {
        const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
        if (node && node.range) return lineCounter.linePos(node.range[0]).line;
      }
      return undefined;
    };
    const kind = classify(data, file);
    if (kind) out.push({ file, index: i + 1, kind, data, prefix: [], line });
    // Rule files embedded in ConfigMaps (a common hand-made pattern).
    if (kind === DocKind.MANIFEST && data.kind === 'ConfigMap' && data.data && typeof data.data === 'object') {
      for (const [key, value] of Object.entries(data.data)) {
        if (typeof value !== 'string' || !/^\s*groups\s*:/m.test(value)) continue;
        let inner: unknown;
        try {
          inner = parseYaml(value);
        } catch {
          continue;
        }
        if (classify(inner, file) !== DocKind.PROMETHEUS_RULES) continue;
        const keyNode = doc.getIn(['data', key], true);
        const keyLine = keyNode && isScalar(keyNode) && keyNode.range ? lineCounter.linePos(keyNode.range[0]).line : undefined;
        out.push({ file, index: i + 1, kind: DocKind.PROMETHEUS_RULES, data: inner, prefix: ['data', key], line: () => keyLine });
      }
    }
  });
  return out;
}

/** Reads and parses every file. */
export function readDocuments(files: readonly string[]): LintDocument[] {
  return files.flatMap((f) => parseDocuments(f, readFileSync(f, 'utf8')));
}
