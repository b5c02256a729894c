/**
 * What a linted document is and how values files are recognised: by a declared chart, the file name or keys only one
 * chart has; never by `global:` or `env:` alone.
 */
import { basename, dirname } from 'node:path';

/** What a document is, by who reads it. */
export enum DocKind {
  /** A Kubernetes object (apiVersion + kind). */
  MANIFEST = 'manifest',
  /** An IstioOperator file for `istioctl install -f`. */
  ISTIO_OPERATOR = 'istio-operator',
  /** istiod (istio-discovery) Helm values, also from a Sail `Istio`, an Argo CD / Flux / kustomize carrier or the `istio` ConfigMap. */
  ISTIOD_VALUES = 'istiod-values',
  /** cert-manager-istio-csr Helm values. */
  ISTIO_CSR_VALUES = 'istio-csr-values',
  /** ztunnel or gateway chart values: istio-agent env is right there. */
  AGENT_CHART_VALUES = 'agent-chart-values',
  /** A ProxyConfig body (`proxy.istio.io/config` annotation). */
  PROXY_CONFIG = 'proxy-config',
  /** A plain Prometheus rule file (`groups:`), also embedded in a ConfigMap or kube-prometheus-stack values. */
  PROMETHEUS_RULES = 'prometheus-rules',
  /** Terraform JSON configuration (either JSON form). */
  TERRAFORM = 'terraform',
}

/** One parsed document. */
export interface LintDocument {
  readonly file: string;
  /** 1-based position of the document in its file. */
  readonly index: number;
  readonly kind: DocKind;
  readonly data: any;
  /** Path prefix when the document is embedded in another (a rule file in a ConfigMap key, Helm values in an Application). */
  readonly prefix: readonly (string | number)[];
  /**
   * For install values: is there evidence it configures istiod (istiod-only keys, file name, a chart)? Findings on a
   * document without it are notes, never errors.
   */
  readonly evidence: boolean;
  /** What carried the document, for messages (e.g. `Argo CD Application spec.source.helm.valuesObject`). */
  readonly carrier?: string;
  /** Line (1-based) of a path inside this document, when known. */
  line(path: readonly (string | number)[]): number | undefined;
}

/** Charts whose values the rules read, by chart name. */
const CHART_KINDS: Record<string, DocKind> = {
  'istiod': DocKind.ISTIOD_VALUES,
  'istio-discovery': DocKind.ISTIOD_VALUES,
  'cert-manager-istio-csr': DocKind.ISTIO_CSR_VALUES,
  'istio-csr': DocKind.ISTIO_CSR_VALUES,
  'ztunnel': DocKind.AGENT_CHART_VALUES,
  'gateway': DocKind.AGENT_CHART_VALUES,
  'istio-ingress': DocKind.AGENT_CHART_VALUES,
  'istio-egress': DocKind.AGENT_CHART_VALUES,
};

/** The kind of a chart's values, by chart name; undefined for a chart the rules do not read. */
function chartKind(chart: string): DocKind | undefined {
  return CHART_KINDS[chart.replace(/^.*\//, '')];
}

export const isObject = (x: unknown): x is Record<string, any> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** MeshConfig fields (istio api mesh/v1alpha1/config.proto): a `meshConfig:` with one of them is Istio's. */
const MESH_CONFIG_KEYS = ['trustDomain', 'trustDomainAliases', 'defaultConfig', 'caCertificates', 'rootNamespace', 'enableAutoMtls',
  'accessLogFile', 'outboundTrafficPolicy', 'extensionProviders', 'defaultProviders', 'enablePrometheusMerge', 'ca', 'certificates'];
/** Keys of the istiod chart and no other (manifests/charts/istio-control/istio-discovery/values.yaml at 1.30.3). */
const ISTIOD_ONLY_KEYS = ['sidecarInjectorWebhook', 'istiodRemote', 'revisionTags', 'autoscaleEnabled', 'traceSampling'];
/** Keys under `pilot:` that only the istiod chart has (before 1.24 its values were all under `pilot:`). */
const ISTIOD_PILOT_KEYS = ['autoscaleEnabled', 'traceSampling', 'keepaliveMaxServerConnectionAge', 'rollingMaxSurge', 'configMap'];

/**
 * Values of a chart: which chart, and on what evidence. `chart` is the declared chart (carrier, config or a Chart.yaml
 * beside the file); without it the file name and istiod-only keys decide; `global:` or `env:` alone are a guess.
 */
export function classifyValues(data: Record<string, any>, file: string, chart?: string): { kind: DocKind; evidence: boolean } | undefined {
  if (chart !== undefined) {
    const kind = chartKind(chart);
    return kind ? { kind, evidence: true } : undefined;
  }
  const name = `${basename(dirname(file))}/${basename(file)}`.toLowerCase();
  if (/istio-?csr/.test(name)) return { kind: DocKind.ISTIO_CSR_VALUES, evidence: true };
  if (isObject(data.app) && (data.app.tls || data.app.server || data.app.certmanager)) return { kind: DocKind.ISTIO_CSR_VALUES, evidence: true };
  if (/ztunnel|gateway/.test(name) || data.caAddress !== undefined || data.xdsAddress !== undefined) return { kind: DocKind.AGENT_CHART_VALUES, evidence: true };
  if (/istiod|istio-discovery|istio-control/.test(name)) return { kind: DocKind.ISTIOD_VALUES, evidence: true };
  const mesh = isObject(data.meshConfig) && MESH_CONFIG_KEYS.some((k) => k in data.meshConfig);
  const pilot = isObject(data.pilot) && ISTIOD_PILOT_KEYS.some((k) => k in data.pilot);
  if (mesh || pilot || ISTIOD_ONLY_KEYS.some((k) => data[k] !== undefined)) return { kind: DocKind.ISTIOD_VALUES, evidence: true };
  if (data.meshConfig !== undefined || data.env !== undefined || data.global !== undefined) return { kind: DocKind.ISTIOD_VALUES, evidence: false };
  return undefined;
}

