/**
 * `.istio-custom-ca-lint.yaml`: rule severities, contexts (documents that deploy together, e.g. one per cluster),
 * ignored paths and declared charts; and the inline comment that silences one finding with a reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { istioVersionProblem } from '../model/istio-version';
import { isObject } from './lint-document';

/** Severity of a finding; `off` in the config disables a rule. */
export type Level = 'error' | 'warning' | 'note';
export const LEVELS: readonly Level[] = ['error', 'warning', 'note'];

/** The config file the CLI looks for in the current folder. */
export const CONFIG_FILE = '.istio-custom-ca-lint.yaml';

/** A context: the files under `paths` deploy together (one cluster, one environment). */
export interface ContextDecl {
  readonly name: string;
  readonly paths: string[];
}

/** The linter's configuration (file or command line). Paths are absolute once loaded. */
export interface LintConfig {
  readonly istioVersion?: string;
  readonly istioNamespace?: string;
  readonly rootNamespace?: string;
  /** Exit 1 when a finding at or above this severity remains; `none` never. */
  readonly failOn?: Level | 'none';
  /** Per rule id: a severity, or `off`. */
  readonly rules?: Record<string, Level | 'off'>;
  readonly contexts?: ContextDecl[];
  /** Glob patterns (`**`, `*`) of paths not to lint. */
  readonly ignore?: string[];
  /** Values files of a chart, by path: the chart decides what the values configure. */
  readonly charts?: { readonly path: string; readonly chart: string }[];
}

/** Problem text when `value` is not one of the levels (plus `extra`: `none` for failOn, `off` for a rule). */
export function levelProblem(key: string, value: unknown, extra: 'none' | 'off'): string | undefined {
  return ([...LEVELS, extra] as string[]).includes(value as string) ? undefined : `${key} (${String(value)}) must be error, warning, note or ${extra}`;
}

function fail(file: string, message: string): never {
  throw new Error(`${file}: ${message}`);
}

/** Reads and checks a config file; every problem names the key and what is allowed. */
export function loadConfig(file: string): LintConfig {
  const raw = parseYaml(readFileSync(file, 'utf8'), { logLevel: 'silent' }) ?? {};
  if (!isObject(raw)) fail(file, 'must be a YAML mapping');
  const known = ['istioVersion', 'istioNamespace', 'rootNamespace', 'failOn', 'rules', 'contexts', 'ignore', 'charts'];
  for (const k of Object.keys(raw)) if (!known.includes(k)) fail(file, `unknown key '${k}'; allowed: ${known.join(', ')}`);
  const base = dirname(resolve(file));
  const abs = (p: unknown, key: string) => (typeof p === 'string' ? (isAbsolute(p) ? p : join(base, p)) : fail(file, `'${key}' entries must be paths (strings)`));
  if (raw.istioVersion !== undefined) {
    const p = istioVersionProblem('istioVersion', String(raw.istioVersion));
    if (p) fail(file, p);
  }
  const failOn = raw.failOn === undefined ? undefined : levelProblem("'failOn'", raw.failOn, 'none');
  if (failOn) fail(file, failOn);
  for (const [id, level] of Object.entries(raw.rules ?? {})) {
    const p = levelProblem(`'rules.${id}'`, level, 'off');
    if (p) fail(file, p);
  }
  const contexts = (Array.isArray(raw.contexts) ? raw.contexts : raw.contexts === undefined ? [] : fail(file, "'contexts' must be a list")).map((c: any, i: number) => {
    if (!isObject(c) || typeof c.name !== 'string' || !Array.isArray(c.paths)) fail(file, `'contexts[${i}]' needs 'name' and a list 'paths'`);
    return { name: c.name, paths: c.paths.map((p: unknown) => abs(p, `contexts[${i}].paths`)) };
  });
  const charts = (Array.isArray(raw.charts) ? raw.charts : []).map((c: any, i: number) => {
    if (!isObject(c) || typeof c.chart !== 'string') fail(file, `'charts[${i}]' needs 'path' and 'chart'`);
    return { path: abs(c.path, `charts[${i}].path`), chart: c.chart };
  });
  const ignore = (Array.isArray(raw.ignore) ? raw.ignore : []).map((p: unknown) => abs(p, 'ignore'));
  return { ...raw, contexts, charts, ignore };
}

/** The config file in `dir`, when there is one. */
export function findConfig(dir: string): string | undefined {
  const f = join(dir, CONFIG_FILE);
  return existsSync(f) ? f : undefined;
}

/** A glob (`**` any folders, `*` within one name) as a test on absolute paths; a plain folder also matches what is below it. */
export function globMatcher(patterns: readonly string[]): (path: string) => boolean {
  const res = patterns.map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\/?/g, '\u0000').replace(/\*/g, '[^/]*')
    .replace(/\u0000/g, '.*')}(/.*)?$`));
  return (path) => res.some((r) => r.test(resolve(path)));
}

/**
 * An inline suppression: `# istio-custom-ca-lint: ignore ICA005 -- why this is fine`, at the end of the finding's line,
 * or alone on the line above it.
 */
export interface Suppression {
  readonly ids: string[];
  readonly reason: string;
}

const SUPPRESS = /#\s*istio-custom-ca-lint:\s*ignore\s+([A-Z]{3}\d{3}(?:\s*,\s*[A-Z]{3}\d{3})*)\s*(?:--\s*(.*))?$/;

/** The suppression comments of a file, by the line (1-based) they apply to; empty for files without one. */
export function suppressions(text: string): Map<number, Suppression> {
  const out = new Map<number, Suppression>();
  if (!text.includes('istio-custom-ca-lint:')) return out;
  text.split('\n').forEach((line, i) => {
    const m = SUPPRESS.exec(line);
    const alone = /^\s*#/.test(line);
    if (m) out.set(alone ? i + 2 : i + 1, { ids: m[1].split(',').map((s) => s.trim()), reason: (m[2] ?? '').trim() });
  });
  return out;
}
