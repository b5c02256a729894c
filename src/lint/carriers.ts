/**
 * The shapes teams deploy Istio, istio-csr and alert configuration in, unwrapped into the documents the rules read
 * (one rule set, many carriers): Sail operator `Istio`, Argo CD `Application` and Flux `HelmRelease` Helm values,
 * kustomize `helmCharts`, the `istio` mesh ConfigMap, `proxy.istio.io/config` annotations, kube-prometheus-stack
 * rule values, VictoriaMetrics `VMRule`s (read as PrometheusRules by the rules) and Terraform `helm_release` values.
 */
import { parse as parseYaml } from 'yaml';
import { classifyValues, DocKind, isObject, LintDocument } from './lint-document';

type Path = readonly (string | number)[];

function embedded(outer: { file: string; index: number; line: LintDocument['line']; prefix: Path }, at: Path, kind: DocKind, data: unknown,
  carrier: string, evidence = true): LintDocument {
  const prefix = [...outer.prefix, ...at];
  return { file: outer.file, index: outer.index, kind, data, prefix, evidence, carrier, line: (p) => outer.line([...at, ...p]) };
}

/** A YAML string inside a document (Helm `values: |`, `data.mesh`), parsed; undefined when it is not a mapping. */
function yamlString(text: unknown): Record<string, any> | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const v = parseYaml(text, { logLevel: 'silent', maxAliasCount: 1000 });
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Helm values for `chart`, given inline as an object or a YAML string. */
function chartValues(outer: Parameters<typeof embedded>[0], chart: string | undefined, object: unknown, objectAt: Path, text: unknown,
  textAt: Path, carrier: string): LintDocument[] {
  const out: LintDocument[] = [];
  for (const [values, at] of [[object, objectAt], [yamlString(text), textAt]] as const) {
    if (!isObject(values)) continue;
    const c = classifyValues(values, outer.file, chart);
    if (c) out.push(embedded(outer, at, c.kind, values, `${carrier} ${at.join('.')}`, c.evidence));
  }
  return out;
}

/**
 * Documents carried inside `data` (a Kubernetes object, or istiod values that embed rule files), each with the path
 * prefix it sits at.
 */
export function unwrapCarriers(data: Record<string, any>, file: string, index: number, line: LintDocument['line'], prefix: Path,
  kind: DocKind | undefined): LintDocument[] {
  const outer = { file, index, line, prefix };
  if (kind === DocKind.TERRAFORM) return helmReleases(outer, data);
  if (kind !== DocKind.MANIFEST) return kind === DocKind.ISTIOD_VALUES || kind === undefined ? promStackRules(outer, data) : [];
  const group = String(data.apiVersion).split('/')[0];
  const out: LintDocument[] = [];
  const spec = isObject(data.spec) ? data.spec : {};
  switch (`${group}/${data.kind}`) {
    case 'sailoperator.io/Istio':
    case 'sailoperator.io/IstioRevision':
      if (isObject(spec.values)) out.push(embedded(outer, ['spec', 'values'], DocKind.ISTIOD_VALUES, spec.values, `Sail ${data.kind} spec.values`));
      break;
    case 'argoproj.io/Application': {
      const sources: [unknown, Path][] = [[spec.source, ['spec', 'source']], ...(Array.isArray(spec.sources) ? spec.sources.map((s: unknown, i: number) => [s, ['spec', 'sources', i]] as [unknown, Path]) : [])];
      for (const [src, at] of sources) {
        if (!isObject(src) || !isObject(src.helm)) continue;
        const chart = typeof src.chart === 'string' ? src.chart : typeof src.path === 'string' ? String(src.path).replace(/\/$/, '').split('/').pop() : undefined;
        out.push(...chartValues(outer, chart, src.helm.valuesObject, [...at, 'helm', 'valuesObject'], src.helm.values, [...at, 'helm', 'values'], 'Argo CD Application'));
      }
      break;
    }
    case 'helm.toolkit.fluxcd.io/HelmRelease': {
      const chart = spec.chart?.spec?.chart ?? spec.chartRef?.name;
      out.push(...chartValues(outer, typeof chart === 'string' ? chart : undefined, spec.values, ['spec', 'values'], undefined, [], 'Flux HelmRelease'));
      break;
    }
    case 'kustomize.config.k8s.io/Kustomization':
      (Array.isArray(data.helmCharts) ? data.helmCharts : []).forEach((h: any, i: number) => {
        if (isObject(h)) out.push(...chartValues(outer, h.name, h.valuesInline, ['helmCharts', i, 'valuesInline'], undefined, [], 'kustomize helmCharts'));
      });
      break;
    case 'operator.victoriametrics.com/VMRule':
      break; // read by the rules as a PrometheusRule (same spec.groups)
    default:
      break;
  }
  if (data.kind === 'ConfigMap' && isObject(data.data)) out.push(...configMapCarriers(outer, data));
  out.push(...proxyConfigAnnotations(outer, data));
  return out;
}

/** The `istio` / `istio-<revision>` mesh ConfigMap (its `mesh` key is istiod's MeshConfig), and rule files in ConfigMap keys. */
function configMapCarriers(outer: Parameters<typeof embedded>[0], data: Record<string, any>): LintDocument[] {
  const out: LintDocument[] = [];
  const name = String(data.metadata?.name ?? '');
  if (/^istio(-[a-z0-9-]+)?$/.test(name) && typeof data.data.mesh === 'string' && name !== 'istio-ca-root-cert') {
    const mesh = yamlString(data.data.mesh);
    if (mesh) out.push(embedded(outer, ['data', 'mesh'], DocKind.ISTIOD_VALUES, { meshConfig: mesh }, `ConfigMap ${name} data.mesh`));
  }
  for (const [key, value] of Object.entries(data.data)) {
    if (typeof value !== 'string' || !/^\s*groups\s*:/m.test(value)) continue;
    const rules = yamlString(value);
    if (rules && Array.isArray(rules.groups)) out.push(embedded(outer, ['data', key], DocKind.PROMETHEUS_RULES, rules, `ConfigMap ${name} data.${key}`));
  }
  return out;
}

/** `proxy.istio.io/config` on a Pod or a workload's pod template: a ProxyConfig body for that workload's istio-agent. */
function proxyConfigAnnotations(outer: Parameters<typeof embedded>[0], data: Record<string, any>): LintDocument[] {
  const out: LintDocument[] = [];
  const places: Path[] = [['metadata', 'annotations'], ['spec', 'template', 'metadata', 'annotations'], ['spec', 'jobTemplate', 'spec', 'template', 'metadata', 'annotations']];
  for (const at of places) {
    let a: any = data;
    for (const k of at) a = a?.[k];
    const body = isObject(a) ? yamlString(a['proxy.istio.io/config']) : undefined;
    if (body) out.push(embedded(outer, [...at, 'proxy.istio.io/config'], DocKind.PROXY_CONFIG, body, `${data.kind} annotation proxy.istio.io/config`));
  }
  return out;
}

/** kube-prometheus-stack values: `additionalPrometheusRulesMap` and `additionalPrometheusRules` hold rule groups. */
function promStackRules(outer: Parameters<typeof embedded>[0], values: Record<string, any>): LintDocument[] {
  const out: LintDocument[] = [];
  if (isObject(values.additionalPrometheusRulesMap)) {
    for (const [k, v] of Object.entries(values.additionalPrometheusRulesMap)) {
      if (isObject(v) && Array.isArray(v.groups)) out.push(embedded(outer, ['additionalPrometheusRulesMap', k], DocKind.PROMETHEUS_RULES, v, 'kube-prometheus-stack additionalPrometheusRulesMap'));
    }
  }
  (Array.isArray(values.additionalPrometheusRules) ? values.additionalPrometheusRules : []).forEach((v: any, i: number) => {
    if (isObject(v) && Array.isArray(v.groups)) out.push(embedded(outer, ['additionalPrometheusRules', i], DocKind.PROMETHEUS_RULES, v, 'kube-prometheus-stack additionalPrometheusRules'));
  });
  return out;
}

/** Helm `--set` names (`a.b`, `a\\.b` for a dot inside a key) as a nested object; names with list indexes are left out. */
function setValues(sets: unknown): Record<string, any> | undefined {
  const out: Record<string, any> = {};
  let any = false;
  for (const s of Array.isArray(sets) ? sets : [sets]) {
    if (!isObject(s) || typeof s.name !== 'string' || s.name.includes('[')) continue;
    const keys = s.name.split(/(?<!\\)\./).map((k: string) => k.replace(/\\\./g, '.'));
    let at = out;
    for (const k of keys.slice(0, -1)) at = isObject(at[k]) ? at[k] : (at[k] = {});
    at[keys[keys.length - 1]] = s.value;
    any = true;
  }
  return any ? out : undefined;
}

/**
 * Terraform `helm_release` resources (either JSON form, or HCL through hcl2json): each literal `values` entry (a
 * heredoc) and the `set` blocks, as values of the release's chart. `yamlencode(...)` and `file(...)` are expressions
 * Terraform evaluates; they are not read.
 */
function helmReleases(outer: Parameters<typeof embedded>[0], data: Record<string, any>): LintDocument[] {
  const out: LintDocument[] = [];
  const blocks = Array.isArray(data.resource) ? data.resource : [data.resource];
  for (const block of blocks) {
    const releases = isObject(block) && isObject(block.helm_release) ? block.helm_release : {};
    for (const [name, raw] of Object.entries(releases)) {
      const list = Array.isArray(raw);
      const body = list ? raw[0] : raw;
      if (!isObject(body)) continue;
      const at: Path = ['resource', 'helm_release', name, ...(list ? [0] : [])];
      const chart = typeof body.chart === 'string' ? body.chart.replace(/\.tgz$/, '').replace(/-\d+\.\d+\.\d+.*$/, '') : undefined;
      const carrier = `Terraform helm_release.${name}`;
      (Array.isArray(body.values) ? body.values : []).forEach((v: unknown, i: number) => {
        out.push(...chartValues(outer, chart, undefined, [], v, [...at, 'values', i], carrier));
      });
      out.push(...chartValues(outer, chart, setValues(body.set), [...at, 'set'], undefined, [], carrier));
    }
  }
  return out;
}
