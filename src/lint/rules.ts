/**
 * The lint rules: stable ids, each citing docs/reference.md. Checks that the constructs also make at synth time
 * call the same model functions (renewBeforeProblem, workloadTtlProblem, …): no rule is written twice.
 */
import { parseGoDuration } from '../model/durations';
import { X509Certificate } from 'node:crypto';
import { trustDomainPairProblem } from '../model/fleet';
import { trustDomainMismatchProblem, trustDomainProblem, DEFAULT_TRUST_DOMAIN } from '../model/identity';
import { dnText, pemCertificates } from '../model/pem';
import { CERT_MANAGER_DEFAULTS, CERT_MANAGER_GROUP, TRUST_MANAGER_GROUP } from '../model/cert-manager';
import {
  AGENT_CERT_ENV, AGENT_CERT_SIGNER_ENV, AGENT_ENV, AGENT_ONLY_CERT_ENV, CACERTS_SECRET, EXTERNAL_CA_K8S_RA, ISTIO_DEFAULTS, ISTIOD_ENV,
  ISTIOD_ENV_MISSPELLINGS, ISTIOD_ONLY_CERT_ENV,
} from '../model/istio-settings';
import { istioCaRootCertNameProblem, istioMutualCaCertificatesProblem, rootNamespaceSelectorProblem } from '../model/istio-policy-rules';
import { holds } from '../model/istio-version';
import { certManagerMinimumProblem, graceRatioProblem, renewBeforeProblem, vaultCapProblem, workloadTtlProblem } from '../model/lifetime-rules';
import { METRICS, NOT_CERTIFICATE_METRICS } from '../model/metrics';
import { ContextIndex, isKind } from './context-index';
import { DocKind, isObject, LintDocument } from './lint-document';

export type Severity = 'error' | 'warning' | 'note';
export type Path = (string | number)[];

/** What the rules know about the target. */
export interface LintContext {
  readonly istioVersion: string;
  readonly istioNamespace: string;
  readonly rootNamespace: string;
}

/** A rule's hit: the document, the path inside it and the message; `severity` lowers the rule's own for this hit. */
export interface Hit {
  readonly doc: LintDocument;
  readonly path: Path;
  readonly message: string;
  readonly severity?: Severity;
}

/**
 * One lint rule: `checkDocument` sees one document at a time (the file is dropped after), `checkContext` sees the
 * index of one context (documents that deploy together) at the end.
 */
export interface LintRule {
  readonly id: string;
  readonly name: string;
  readonly severity: Severity;
  /** The fact it enforces, in docs/reference.md (shipped in the package). */
  readonly fact: string;
  readonly fix: string;
  /** Upstream documentation or source a user can open. */
  readonly helpUri: string;
  checkDocument?(doc: LintDocument, ctx: LintContext, index: ContextIndex): Hit[];
  checkContext?(index: ContextIndex, ctx: LintContext): Hit[];
  /** Sees every context at the end: rules across the clusters of one mesh. Each hit carries its context. */
  checkFleet?(indexes: readonly ContextIndex[], ctx: LintContext): FleetHit[];
}

/** A hit of a rule across contexts, with the context it was found in. */
export interface FleetHit extends Hit {
  readonly context: ContextIndex;
}

interface Entry { readonly name: string; readonly value: unknown; readonly path: Path }

const get = (obj: any, path: Path): any => path.reduce((o, k) => (o == null ? undefined : o[k]), obj);

/** `env` given as a map or as a list of {name, value}. */
function envEntries(obj: any, base: Path): Entry[] {
  const env = get(obj, base);
  if (Array.isArray(env)) return env.filter(isObject).map((e, i) => ({ name: String(e.name), value: e.value, path: [...base, i] }));
  if (isObject(env)) return Object.entries(env).map(([name, value]) => ({ name, value, path: [...base, name] }));
  return [];
}

/** The istiod container of a rendered istiod Deployment (container `discovery`), by index. */
function istiodContainers(doc: LintDocument): number[] {
  if (!isKind(doc, 'Deployment') || !/^istiod(-|$)/.test(String(doc.data.metadata?.name))) return [];
  const cs = get(doc.data, ['spec', 'template', 'spec', 'containers']);
  return Array.isArray(cs) ? cs.flatMap((c, i) => (isObject(c) && c.name === 'discovery' ? [i] : [])) : [];
}

/** istiod's container env in an IstioOperator, istiod Helm values or a rendered istiod Deployment. */
function istiodEnv(doc: LintDocument): Entry[] {
  if (doc.kind === DocKind.ISTIO_OPERATOR) {
    return [...envEntries(doc.data, ['spec', 'values', 'pilot', 'env']), ...envEntries(doc.data, ['spec', 'components', 'pilot', 'k8s', 'env'])];
  }
  if (doc.kind === DocKind.ISTIOD_VALUES) return [...envEntries(doc.data, ['env']), ...envEntries(doc.data, ['pilot', 'env'])];
  return istiodContainers(doc).flatMap((i) => envEntries(doc.data, ['spec', 'template', 'spec', 'containers', i, 'env']));
}

/** The meshConfig of an install document. */
function meshConfigPath(doc: LintDocument): Path | undefined {
  if (doc.kind === DocKind.ISTIO_OPERATOR) return ['spec', 'meshConfig'];
  if (doc.kind === DocKind.ISTIOD_VALUES) return ['meshConfig'];
  return undefined;
}

/** `values.global` of an install document. */
function globalPath(doc: LintDocument): Path | undefined {
  if (doc.kind === DocKind.ISTIO_OPERATOR) return ['spec', 'values', 'global'];
  if (doc.kind === DocKind.ISTIOD_VALUES) return ['global'];
  return undefined;
}

/** The ProxyConfig body of a document: meshConfig.defaultConfig, a ProxyConfig's spec, or a proxy.istio.io/config annotation. */
function proxyConfigPath(doc: LintDocument): Path | undefined {
  const mc = meshConfigPath(doc);
  if (mc) return [...mc, 'defaultConfig'];
  if (doc.kind === DocKind.PROXY_CONFIG) return [];
  return undefined;
}

/** istio-agent env: proxyMetadata of a ProxyConfig body, or a ProxyConfig resource's environmentVariables. */
function agentEnv(doc: LintDocument): Entry[] {
  const pc = proxyConfigPath(doc);
  if (pc) return envEntries(doc.data, [...pc, 'proxyMetadata']);
  if (isKind(doc, 'ProxyConfig')) return envEntries(doc.data, ['spec', 'environmentVariables']);
  return [];
}

/** A value some tool fills in later (envsubst, Flux substitution, Helm, kpt setters, `<placeholder>`): not checked. */
function isPlaceholder(v: unknown): boolean {
  return typeof v === 'string' && /\$\{|\{\{|\$\(|^<.*>$|^__.+__$|^REPLACE|^CHANGE_?ME/i.test(v);
}

/** Each alert/record expression of a rule file, a PrometheusRule or a VictoriaMetrics VMRule, with its path. */
function ruleExprs(doc: LintDocument): { expr: string; path: Path }[] {
  const base: Path | undefined = doc.kind === DocKind.PROMETHEUS_RULES ? ['groups']
    : isKind(doc, 'PrometheusRule', 'monitoring.coreos.com') || isKind(doc, 'VMRule', 'operator.victoriametrics.com') ? ['spec', 'groups'] : undefined;
  if (!base) return [];
  const out: { expr: string; path: Path }[] = [];
  const groups = get(doc.data, base);
  (Array.isArray(groups) ? groups : []).forEach((g: any, gi: number) => (Array.isArray(g?.rules) ? g.rules : []).forEach((r: any, ri: number) => {
    if (r?.expr !== undefined) out.push({ expr: String(r.expr), path: [...base, gi, 'rules', ri, 'expr'] });
  }));
  return out;
}

const isCertificate = (d: LintDocument) => isKind(d, 'Certificate', CERT_MANAGER_GROUP);
const isInstall = (d: LintDocument) => d.kind === DocKind.ISTIO_OPERATOR || d.kind === DocKind.ISTIOD_VALUES;

/** Vault TTL: Go duration or plain seconds. */
function ttlMs(v: unknown): number | undefined {
  if (typeof v === 'number') return v * 1000;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v) * 1000;
  return typeof v === 'string' ? parseGoDuration(v) : undefined;
}

/** istiod's serving-certificate flags (pilot/cmd/pilot-discovery/app/cmd.go) that older istio-csr guides patched in. */
const TLS_FILE_FLAG = /--(tlsCertFile|tlsKeyFile|caCertFile)\b/;

/** Every string under `value`, with its path (patch values may be one arg or the whole args list). */
function strings(value: unknown, path: Path): { value: string; path: Path }[] {
  if (typeof value === 'string') return [{ value, path }];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, [...path, i]));
  if (isObject(value)) return Object.entries(value).flatMap(([k, v]) => strings(v, [...path, k]));
  return [];
}

/** istiod container args: IstioOperator overlays on the istiod Deployment, or a rendered istiod Deployment. */
function istiodArgs(doc: LintDocument): { value: string; path: Path }[] {
  if (doc.kind === DocKind.ISTIO_OPERATOR) {
    const overlays = get(doc.data, ['spec', 'components', 'pilot', 'k8s', 'overlays']);
    return (Array.isArray(overlays) ? overlays : []).flatMap((o: any, i: number) => (isObject(o) && o.kind === 'Deployment' && Array.isArray(o.patches)
      ? o.patches.flatMap((p: any, j: number) => (isObject(p) && /args/.test(String(p.path)) ? strings(p.value, ['spec', 'components', 'pilot', 'k8s', 'overlays', i, 'patches', j, 'value']) : []))
      : []));
  }
  return istiodContainers(doc).flatMap((i) => strings(get(doc.data, ['spec', 'template', 'spec', 'containers', i, 'args']), ['spec', 'template', 'spec', 'containers', i, 'args']));
}

/** One cluster of a multi-cluster mesh, as its context's istiod install config describes it. */
interface FleetMember {
  readonly index: ContextIndex;
  readonly doc: LintDocument;
  readonly name: string;
  readonly trustDomain: string;
  readonly trustDomainAliases: string[];
  /** Roots the context pins (meshConfig.caCertificates, inline trust-manager Bundle sources); undefined when none or not all are inline. */
  readonly roots?: { readonly doc: LintDocument; readonly path: Path; readonly certs: string[] };
}

/**
 * Contexts that are clusters of one mesh: an install config with an explicit `global.meshID` and cluster name,
 * grouped by mesh ID and by the folder above `clusters/<name>/` (each step of a fleet plan is its own fleet).
 */
function fleets(indexes: readonly ContextIndex[]): FleetMember[][] {
  const groups = new Map<string, FleetMember[]>();
  for (const index of indexes) {
    const doc = index.install.find((d) => d.evidence && typeof get(d.data, [...globalPath(d)!, 'meshID']) === 'string');
    if (!doc) continue;
    const global = get(doc.data, globalPath(doc)!);
    const mc = meshConfigPath(doc)!;
    const aliases = get(doc.data, [...mc, 'trustDomainAliases']);
    const member: FleetMember = {
      index, doc, name: String(global.multiCluster?.clusterName ?? index.name),
      trustDomain: String(get(doc.data, [...mc, 'trustDomain']) ?? DEFAULT_TRUST_DOMAIN),
      trustDomainAliases: Array.isArray(aliases) ? aliases.map(String) : [],
      roots: pinnedRoots(index, doc),
    };
    const key = `${global.meshID}|${/^(.*)[\\/]clusters[\\/][^\\/]+$/.exec(index.name)?.[1] ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), member]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

/** The roots a cluster pins: meshConfig.caCertificates PEMs, or an inline-only trust-manager Bundle (istio-csr). */
function pinnedRoots(index: ContextIndex, install: LintDocument): FleetMember['roots'] {
  const mc = meshConfigPath(install)!;
  const entries = get(install.data, [...mc, 'caCertificates']);
  const pems = (Array.isArray(entries) ? entries : []).map((e: any) => e?.pem).filter((p: unknown): p is string => typeof p === 'string' && !isPlaceholder(p));
  if (pems.length) return { doc: install, path: [...mc, 'caCertificates'], certs: [...new Set(pems.flatMap(pemCertificates))].sort() };
  for (const bundle of index.bundles) {
    const sources = bundle.data.spec?.sources;
    if (!Array.isArray(sources) || sources.length === 0 || !sources.every((x: any) => typeof x?.inLine === 'string')) continue;
    return { doc: bundle, path: ['spec', 'sources'], certs: [...new Set(sources.flatMap((x: any) => pemCertificates(x.inLine)))].sort() };
  }
  return undefined;
}

/** A root for people: its subject and the start of its SHA-256 fingerprint. */
function rootLabel(pem: string): string {
  try {
    const c = new X509Certificate(pem);
    return `${dnText(c.subject)} (SHA-256 ${c.fingerprint256.slice(0, 23)}…)`;
  } catch {
    return 'a certificate that does not parse';
  }
}

/** Upstream pages the rules cite (helpUri). */
const HELP = {
  meshConfig: 'https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/',
  agentOptions: 'https://github.com/istio/istio/blob/1.30.0/pilot/cmd/pilot-agent/options/options.go',
  pilotFeatures: 'https://github.com/istio/istio/blob/1.30.0/pilot/pkg/features/pilot.go',
  customCaK8s: 'https://istio.io/latest/docs/tasks/security/cert-management/custom-ca-k8s/',
  pluginCa: 'https://istio.io/latest/docs/tasks/security/cert-management/plugin-ca-cert/',
  istioCsr: 'https://cert-manager.io/docs/usage/istio-csr/',
  destinationRule: 'https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings',
  peerAuth: 'https://istio.io/latest/docs/reference/config/security/peer_authentication/',
  caMetrics: 'https://github.com/istio/istio/blob/1.30.0/security/pkg/server/ca/monitoring.go',
  certificate: 'https://cert-manager.io/docs/usage/certificate/',
  caIssuer: 'https://cert-manager.io/docs/configuration/ca/',
  vaultPki: 'https://developer.hashicorp.com/vault/api-docs/secret/pki',
  multicluster: 'https://istio.io/latest/docs/setup/install/multicluster/before-you-begin/',
} as const;

export const RULES: readonly LintRule[] = [
  {
    id: 'ICA001', name: 'mesh-config-ca', severity: 'error', fact: '§3, §11 a', helpUri: HELP.meshConfig,
    fix: 'remove meshConfig.ca; for the Kubernetes CSR route set istiod env EXTERNAL_CA=ISTIOD_RA_KUBERNETES_API with K8S_SIGNER and meshConfig.caCertificates (CaIntegration.kubernetesCsr)',
    checkDocument: (doc) => {
      const mc = meshConfigPath(doc);
      return mc && get(doc.data, [...mc, 'ca']) !== undefined
        ? [{ doc, path: [...mc, 'ca'], message: 'meshConfig.ca is a hidden, unimplemented field: istiod never reads it, and it does not select the Kubernetes CA' }]
        : [];
    },
  },
  {
    id: 'ICA002', name: 'citadel-enable-ca-server', severity: 'error', fact: '§2b, §11 b', helpUri: HELP.istioCsr,
    fix: 'use istiod env ENABLE_CA_SERVER: "false" (the only name) together with global.caAddress pointing at istio-csr',
    checkDocument: (doc) => istiodEnv(doc).filter((e) => e.name === 'CITADEL_ENABLE_CA_SERVER')
      .map((e) => ({ doc, path: e.path, message: 'istiod env CITADEL_ENABLE_CA_SERVER never existed: istiod ignores it and keeps its CA server running' })),
  },
  {
    id: 'ICA003', name: 'cert-signer-outside-ra', severity: 'error', fact: '§3, §11 b', helpUri: HELP.customCaK8s,
    fix: `remove ${AGENT_CERT_SIGNER_ENV}, or use the Kubernetes CSR route (istiod env ${ISTIOD_ENV.EXTERNAL_CA}=${EXTERNAL_CA_K8S_RA} and ${ISTIOD_ENV.CERT_SIGNER_DOMAIN})`,
    checkContext: (index) => {
      const istiods = index.install.filter((d) => d.evidence);
      if (index.install.some((d) => istiodEnv(d).some((e) => e.name === ISTIOD_ENV.EXTERNAL_CA && e.value === EXTERNAL_CA_K8S_RA))) return [];
      return index.agentEnvDocs.flatMap((doc) => agentEnv(doc).filter((e) => e.name === AGENT_CERT_SIGNER_ENV).map((e): Hit => (istiods.length > 0 ? {
        doc, path: e.path,
        message: `${AGENT_CERT_SIGNER_ENV} (${String(e.value)}) only matters when istiod is a Kubernetes CSR RA, and no istiod here sets ` +
          `${ISTIOD_ENV.EXTERNAL_CA}=${EXTERNAL_CA_K8S_RA}; istio-csr and istiod's own CA ignore it`,
      } : {
        doc, path: e.path, severity: 'note',
        message: `${AGENT_CERT_SIGNER_ENV} (${String(e.value)}) only matters when istiod is a Kubernetes CSR RA ` +
          `(${ISTIOD_ENV.EXTERNAL_CA}=${EXTERNAL_CA_K8S_RA}); the istiod configuration is not among these files, so this cannot be checked here`,
      })));
    },
  },
  {
    id: 'ICA004', name: 'secret-ttl-field', severity: 'error', fact: '§5.1, §11 d', helpUri: HELP.meshConfig,
    fix: `set ${AGENT_ENV.SECRET_TTL} in meshConfig.defaultConfig.proxyMetadata (or a ProxyConfig's environmentVariables) and restart workloads`,
    checkDocument: (doc) => {
      const base = proxyConfigPath(doc) ?? (isKind(doc, 'ProxyConfig') ? ['spec'] : undefined);
      return base && get(doc.data, [...base, 'secretTtl']) !== undefined
        ? [{ doc, path: [...base, 'secretTtl'], message: 'ProxyConfig has no secretTtl field: it is dropped silently and the workload certificate lifetime does not change' }]
        : [];
    },
  },
  {
    id: 'ICA005', name: 'agent-env-on-istiod', severity: 'error', fact: '§5.1, §11 d', helpUri: HELP.agentOptions,
    fix: 'move it to meshConfig.defaultConfig.proxyMetadata (istio-agent env); istiod bounds lifetimes with MAX_WORKLOAD_CERT_TTL',
    checkDocument: (doc) => istiodEnv(doc).filter((e) => AGENT_ONLY_CERT_ENV.includes(e.name))
      .map((e) => ({ doc, path: e.path, message: `${e.name} is istio-agent (sidecar) env; istiod does not read it, so it has no effect here` })),
  },
  {
    id: 'ICA006', name: 'vault-env-on-istiod', severity: 'error', fact: '§4.1, §11 g', helpUri: HELP.istioCsr,
    fix: 'use a cert-manager Vault issuer feeding cacerts (root/sign-intermediate) or istio-csr (MeshPki, VaultPkiBackend)',
    checkDocument: (doc) => istiodEnv(doc).filter((e) => e.name.startsWith('VAULT_'))
      .map((e) => ({ doc, path: e.path, message: `${e.name} was node-agent env in Istio 1.1-1.5; istiod never read it and has no Vault integration` })),
  },
  {
    id: 'ICA007', name: 'pilot-cert-provider-kubernetes', severity: 'error', fact: '§3, §11 a', helpUri: HELP.customCaK8s,
    fix: 'keep pilotCertProvider: istiod (the default); for the Kubernetes CSR route use CaIntegration.kubernetesCsr',
    checkDocument: (doc) => {
      const hits: Hit[] = [];
      const g = globalPath(doc);
      if (g && get(doc.data, [...g, 'pilotCertProvider']) === 'kubernetes') {
        hits.push({ doc, path: [...g, 'pilotCertProvider'], message: "pilotCertProvider 'kubernetes' used the legacy signer: istiod exits with log.Fatal since Istio 1.23, and the signer is gone since Kubernetes 1.22" });
      }
      for (const e of istiodEnv(doc)) {
        if (e.name === 'PILOT_CERT_PROVIDER' && e.value === 'kubernetes') {
          hits.push({ doc, path: e.path, message: 'PILOT_CERT_PROVIDER=kubernetes is fatal since Istio 1.23 (legacy signer, gone since Kubernetes 1.22)' });
        }
      }
      return hits;
    },
  },
  {
    id: 'ICA008', name: 'istio-mutual-ca-certificates', severity: 'error', fact: '§8.3, §11 j', helpUri: HELP.destinationRule,
    fix: 'remove caCertificates: ISTIO_MUTUAL always trusts the mesh bundle; narrow peers with subjectAltNames (SPIFFE IDs), or use MUTUAL to pin a foreign CA',
    checkDocument: (doc) => {
      if (!isKind(doc, 'DestinationRule', 'networking.istio.io')) return [];
      const hits: Hit[] = [];
      const visit = (policy: any, path: Path) => {
        if (!isObject(policy)) return;
        const p = policy.tls?.mode === 'ISTIO_MUTUAL' ? istioMutualCaCertificatesProblem(policy.tls?.caCertificates) : undefined;
        if (p) hits.push({ doc, path: [...path, 'tls', 'caCertificates'], message: p });
        (Array.isArray(policy.portLevelSettings) ? policy.portLevelSettings : []).forEach((p: any, i: number) => visit(p, [...path, 'portLevelSettings', i]));
      };
      visit(doc.data.spec?.trafficPolicy, ['spec', 'trafficPolicy']);
      (Array.isArray(doc.data.spec?.subsets) ? doc.data.spec.subsets : []).forEach((s: any, i: number) => visit(s?.trafficPolicy, ['spec', 'subsets', i, 'trafficPolicy']));
      return hits;
    },
  },
  {
    id: 'ICA009', name: 'peer-auth-selector-in-root-namespace', severity: 'error', fact: '§8.2', helpUri: HELP.peerAuth,
    fix: "move the policy to the workload's own namespace (PermissivePeerAuth does)",
    checkDocument: (doc, ctx, index) => {
      if (!isKind(doc, 'PeerAuthentication', 'security.istio.io') || doc.data.spec?.selector === undefined) return [];
      const ns = index.namespaceOf(doc);
      const p = ns === undefined ? undefined : rootNamespaceSelectorProblem(ns, ctx.rootNamespace);
      return p ? [{ doc, path: ['metadata', 'namespace'], message: p }] : [];
    },
  },
  {
    id: 'ICA010', name: 'alert-metric-does-not-exist', severity: 'error', fact: '§7, §11 i', helpUri: HELP.caMetrics,
    fix: `use ${METRICS.AGENT_CERT_EXPIRY_SECONDS}, ${METRICS.CA_CHAIN_EXPIRY_SECONDS} / _timestamp, ${METRICS.CA_SIGN_ERRORS}, ${METRICS.CM_CERT_EXPIRATION} (CertAlertRules generates them)`,
    checkDocument: (doc, ctx) => ruleExprs(doc).flatMap(({ expr, path }) => {
      const hits: Hit[] = [];
      for (const [metric, why] of Object.entries(MISSING_METRICS)) {
        if (new RegExp(`\\b${metric}\\b`).test(expr)) hits.push({ doc, path, message: `${metric}: ${why}` });
      }
      if (!holds('CA_EXPIRY_SECONDS_METRICS', ctx.istioVersion) && /\bcitadel_server_(cert_chain|root_cert)_expiry_seconds\b/.test(expr)) {
        hits.push({ doc, path, message: `citadel_server_*_expiry_seconds exist from Istio 1.23, not in ${ctx.istioVersion}; use the _timestamp gauges minus time()` });
      }
      return hits;
    }),
  },
  {
    id: 'ICA011', name: 'hand-made-istio-ca-root-cert', severity: 'error', fact: '§6.5, §11 k', helpUri: HELP.pluginCa,
    fix: 'do not write istio-ca-root-cert: rotate roots through cacerts, meshConfig.caCertificates or istio-csr rootCAFile (a differently named trust bundle)',
    checkDocument: (doc) => {
      if (!isKind(doc, 'ConfigMap') && !isKind(doc, 'Bundle', TRUST_MANAGER_GROUP)) return [];
      // An empty placeholder (no data) only reserves the name, e.g. for an ownership annotation; it writes no trust.
      const content = doc.data.kind === 'ConfigMap' ? Object.values({ ...(doc.data.data ?? {}), ...(doc.data.binaryData ?? {}) }).some((v) => String(v).trim() !== '') : true;
      const p = content ? istioCaRootCertNameProblem('metadata.name', String(doc.data.metadata?.name)) : undefined;
      return p ? [{ doc, path: ['metadata', 'name'], message: `${doc.data.kind} ${p}; it is reverted, and it is not the workload mTLS trust source` }] : [];
    },
  },
  {
    id: 'ICA012', name: 'cacerts-outside-istiod-namespace', severity: 'error', fact: '§1.1, §2a', helpUri: HELP.pluginCa,
    fix: "create the cacerts Certificate in istiod's namespace (--istio-namespace)",
    checkDocument: (doc, ctx, index) => {
      if (!isCertificate(doc) || doc.data.spec?.secretName !== CACERTS_SECRET) return [];
      const ns = index.namespaceOf(doc); // no namespace and no kustomization namespace: the apply decides, nothing to check
      return ns !== undefined && ns !== ctx.istioNamespace
        ? [{ doc, path: ['metadata', 'namespace'], message: `the cacerts Certificate is in ${ns}, but istiod only mounts cacerts from its own namespace (${ctx.istioNamespace})` }]
        : [];
    },
  },
  {
    id: 'ICA013', name: 'cacerts-not-ca', severity: 'error', fact: '§2a, §11 c', helpUri: HELP.pluginCa,
    fix: 'set spec.isCA: true (and usages digital signature, key encipherment, cert sign)',
    checkDocument: (doc) => (isCertificate(doc) && doc.data.spec?.secretName === CACERTS_SECRET && doc.data.spec?.isCA !== true
      ? [{ doc, path: ['spec', 'isCA'], message: 'the cacerts Certificate is not a CA (isCA is not true): istiod cannot sign workload certificates with it' }]
      : []),
  },
  {
    id: 'ICA014', name: 'certificate-lifetimes', severity: 'error', fact: '§2a, §11 h', helpUri: HELP.certificate,
    fix: 'make renewBefore shorter than duration, and duration at least 1h',
    checkDocument: (doc) => {
      if (!isCertificate(doc) || isPlaceholder(doc.data.spec?.duration) || isPlaceholder(doc.data.spec?.renewBefore)) return [];
      const d = parseGoDuration(String(doc.data.spec?.duration ?? CERT_MANAGER_DEFAULTS.certificateDuration)) ?? 0;
      const hits: Hit[] = [];
      const min = certManagerMinimumProblem('duration', d);
      if (min && doc.data.spec?.duration !== undefined) hits.push({ doc, path: ['spec', 'duration'], message: min });
      if (doc.data.spec?.renewBefore !== undefined) {
        const p = renewBeforeProblem(d, parseGoDuration(String(doc.data.spec.renewBefore)) ?? 0);
        if (p) hits.push({ doc, path: ['spec', 'renewBefore'], message: p });
      }
      return hits;
    },
  },
  {
    id: 'ICA015', name: 'vault-role-caps-certificate', severity: 'error', fact: '§4.3, §11 h', helpUri: HELP.vaultPki,
    fix: "raise the Vault role's max_ttl to the Certificate duration, or shorten the duration",
    checkContext: (index) => {
      const roles = [...index.terraform.values()].filter((r) => r.type === 'vault_pki_secret_backend_role');
      if (roles.length === 0) return [];
      const hits: Hit[] = [];
      for (const cert of index.certificates) {
        const path = index.issuerOf(cert)?.data.spec?.vault?.path;
        const m = typeof path === 'string' ? /^(.+)\/sign\/([^/]+)$/.exec(path) : null;
        if (!m) continue;
        for (const { doc: t, name: addr, body: role } of roles) {
          if (role.name !== m[2] || index.terraformValue(role.backend) !== m[1]) continue;
          const cap = ttlMs(role.max_ttl);
          const requested = parseGoDuration(String(cert.data.spec?.duration ?? CERT_MANAGER_DEFAULTS.certificateDuration));
          if (cap === undefined || requested === undefined) continue;
          const p = vaultCapProblem(`Certificate ${index.namespaceOf(cert) ?? '(namespace set at apply)'}/${cert.data.metadata?.name} 'duration'`, requested,
            `Vault role ${m[1]}/${m[2]} max_ttl (${t.file} ${addr})`, cap);
          if (p) hits.push({ doc: cert, path: ['spec', 'duration'], message: p });
        }
      }
      return hits;
    },
  },
  {
    id: 'ICA016', name: 'trust-domain-mismatch', severity: 'error', fact: '§2b, §10', helpUri: HELP.istioCsr,
    fix: 'set app.tls.trustDomain to meshConfig.trustDomain (IstioCustomCa writes both from one prop)',
    checkContext: (index) => {
      const mesh = index.install.filter((d) => d.evidence).map((d) => ({ d, td: get(d.data, [...meshConfigPath(d)!, 'trustDomain']) ?? DEFAULT_TRUST_DOMAIN }))
        .filter((m) => !isPlaceholder(m.td));
      return index.istioCsrValues.flatMap((doc) => {
        const td = doc.data.app?.tls?.trustDomain ?? DEFAULT_TRUST_DOMAIN;
        if (isPlaceholder(td)) return [];
        return mesh.flatMap((m) => {
          const p = trustDomainMismatchProblem('istio-csr app.tls.trustDomain', String(td), `meshConfig.trustDomain in ${m.d.file}`, String(m.td));
          return p ? [{ doc, path: ['app', 'tls', 'trustDomain'], message: p }] : [];
        });
      });
    },
  },
  {
    id: 'ICA017', name: 'invalid-trust-domain', severity: 'error', fact: '§10', helpUri: HELP.meshConfig,
    fix: 'use DNS-1123 labels: lowercase letters, digits and -',
    checkDocument: (doc) => {
      const mc = meshConfigPath(doc);
      if (!mc) return [];
      const hits: Hit[] = [];
      const td = get(doc.data, [...mc, 'trustDomain']);
      const p = td === undefined || isPlaceholder(td) ? undefined : trustDomainProblem('meshConfig.trustDomain', String(td));
      if (p) hits.push({ doc, path: [...mc, 'trustDomain'], message: p });
      const aliases = get(doc.data, [...mc, 'trustDomainAliases']);
      (Array.isArray(aliases) ? aliases : []).forEach((a: unknown, i: number) => {
        const q = isPlaceholder(a) ? undefined : trustDomainProblem(`meshConfig.trustDomainAliases[${i}]`, String(a));
        if (q) hits.push({ doc, path: [...mc, 'trustDomainAliases', i], message: q });
      });
      return hits;
    },
  },
  {
    id: 'ICA018', name: 'workload-ttl-above-max', severity: 'error', fact: '§5.2', helpUri: HELP.agentOptions,
    fix: 'lower SECRET_TTL or raise istiod env MAX_WORKLOAD_CERT_TTL',
    checkDocument: (doc) => {
      if (!isInstall(doc)) return [];
      const ttl = agentEnv(doc).find((e) => e.name === AGENT_ENV.SECRET_TTL);
      const max = istiodEnv(doc).find((e) => e.name === ISTIOD_ENV.MAX_WORKLOAD_CERT_TTL);
      const ttlMsV = ttl ? parseGoDuration(String(ttl.value)) : undefined;
      const maxMs = max ? parseGoDuration(String(max.value)) : ISTIO_DEFAULTS.maxWorkloadCertTtlMs;
      const p = ttlMsV !== undefined && maxMs !== undefined ? workloadTtlProblem(ttlMsV, maxMs) : undefined;
      return p ? [{ doc, path: ttl!.path, message: p }] : [];
    },
  },
  {
    id: 'ICA019', name: 'grace-period-ratio-range', severity: 'error', fact: '§5.1', helpUri: HELP.agentOptions,
    fix: 'use a ratio between 0 and 1 (Istio default 0.5)',
    checkDocument: (doc) => agentEnv(doc).filter((e) => e.name === AGENT_ENV.SECRET_GRACE_PERIOD_RATIO && !isPlaceholder(e.value)).flatMap((e) => {
      const p = graceRatioProblem(Number(e.value));
      return p ? [{ doc, path: e.path, message: p }] : [];
    }),
  },
  {
    id: 'ICA020', name: 'vault-role-path-for-ca', severity: 'error', fact: '§4.3, §11 c', helpUri: HELP.vaultPki,
    fix: "point the issuer at '<mount>/root/sign-intermediate' for an isCA Certificate",
    checkContext: (index) => index.certificates.filter((d) => d.data.spec?.isCA === true).flatMap((cert) => {
      const path = index.issuerOf(cert)?.data.spec?.vault?.path;
      return typeof path === 'string' && /\/sign\/[^/]+$/.test(path)
        ? [{ doc: cert, path: ['spec', 'issuerRef'], message: `its Vault issuer signs at ${path}, a role path that only issues leaf certificates (CA:FALSE), so this CA certificate can never be issued` }]
        : [];
    }),
  },
  {
    id: 'ICA021', name: 'unknown-agent-env', severity: 'error', fact: '§5.1', helpUri: HELP.agentOptions,
    fix: `use a variable istio-agent reads: ${AGENT_CERT_ENV.join(', ')}`,
    checkDocument: (doc) => agentEnv(doc).filter((e) => /^(SECRET_|CA_)/.test(e.name) && !AGENT_CERT_ENV.includes(e.name) && !ISTIOD_ONLY_CERT_ENV.includes(e.name))
      .map((e) => {
        const near = AGENT_CERT_ENV.find((k) => k.startsWith(e.name) || e.name.startsWith(k));
        return { doc, path: e.path, message: `istio-agent reads no variable ${e.name}${near ? ` (did you mean ${near}?)` : ''}; it is ignored` };
      }),
  },
  {
    id: 'ICA022', name: 'istiod-env-misspelt', severity: 'error', fact: '§5.2', helpUri: HELP.pilotFeatures,
    fix: 'use the name istiod reads',
    checkDocument: (doc) => istiodEnv(doc).filter((e) => ISTIOD_ENV_MISSPELLINGS[e.name] !== undefined)
      .map((e) => ({ doc, path: e.path, message: `istiod reads ${ISTIOD_ENV_MISSPELLINGS[e.name]}, not ${e.name}; this setting is ignored` })),
  },
  {
    id: 'ICA023', name: 'istiod-env-in-proxy-metadata', severity: 'error', fact: '§5.2', helpUri: HELP.pilotFeatures,
    fix: "set it on istiod (values.pilot.env, or the istiod chart's env), not in proxyMetadata",
    checkDocument: (doc) => agentEnv(doc).filter((e) => ISTIOD_ONLY_CERT_ENV.includes(e.name))
      .map((e) => ({ doc, path: e.path, message: `${e.name} is istiod env; istio-agent does not read it, so it has no effect in proxyMetadata` })),
  },
  {
    id: 'ICA024', name: 'default-ttl-without-secret-ttl', severity: 'warning', fact: '§5.2', helpUri: HELP.agentOptions,
    fix: `set ${AGENT_ENV.SECRET_TTL} in meshConfig.defaultConfig.proxyMetadata to change sidecar certificate lifetimes (and keep it within MAX_WORKLOAD_CERT_TTL)`,
    checkContext: (index) => {
      if (index.agentEnvDocs.some((d) => agentEnv(d).some((e) => e.name === AGENT_ENV.SECRET_TTL))) return [];
      return index.install.flatMap((doc) => istiodEnv(doc).filter((e) => e.name === ISTIOD_ENV.DEFAULT_WORKLOAD_CERT_TTL).map((e) => ({
        doc, path: e.path,
        message: `${e.name} (${String(e.value)}) applies only to CSRs that ask for no lifetime; istio-agent always asks for ${AGENT_ENV.SECRET_TTL} ` +
          '(default 24h), and nothing here sets it, so sidecar certificate lifetimes do not change',
      })));
    },
  },
  {
    id: 'ICA025', name: 'ca-certificates-entry-empty', severity: 'error', fact: '§3', helpUri: `${HELP.meshConfig}#MeshConfig-CertificateData`,
    fix: 'give each caCertificates entry a pem (or a spiffeBundleUrl), with the trustDomains or certSigners it applies to',
    checkDocument: (doc) => {
      const mc = meshConfigPath(doc);
      const list = mc ? get(doc.data, [...mc, 'caCertificates']) : undefined;
      return (Array.isArray(list) ? list : []).flatMap((c: any, i: number) => (!isObject(c) || (c.pem === undefined && c.spiffeBundleUrl === undefined)
        ? [{ doc, path: [...mc!, 'caCertificates', i], message: 'this caCertificates entry has neither pem nor spiffeBundleUrl: it adds no trust anchor' }]
        : []));
    },
  },
  {
    id: 'ICA026', name: 'ca-issuer-reads-its-own-cacerts', severity: 'error', fact: '§2a', helpUri: HELP.caIssuer,
    fix: "back the CA Issuer with the parent CA's Secret (the root or upstream intermediate), not with the cacerts Secret the Certificate writes",
    checkContext: (index) => index.certificates.filter((c) => c.data.spec?.secretName === CACERTS_SECRET).flatMap((cert) => {
      const issuer = index.issuerOf(cert);
      const secret = issuer?.data.spec?.ca?.secretName;
      const same = secret === CACERTS_SECRET && (issuer!.data.kind === 'Issuer' || index.namespaceOf(cert) === CERT_MANAGER_DEFAULTS.clusterResourceNamespace);
      return same ? [{
        doc: cert, path: ['spec', 'issuerRef'],
        message: `its issuer ${issuer!.data.kind}/${issuer!.data.metadata?.name} signs with the Secret ${CACERTS_SECRET}, the very Secret this Certificate is to create: the issuer is never Ready and the Certificate is never issued`,
      }] : [];
    }),
  },
  {
    id: 'ICA027', name: 'auto-reload-plugin-certs-removed', severity: 'warning', fact: '§1.2', helpUri: HELP.pluginCa,
    fix: 'remove AUTO_RELOAD_PLUGIN_CERTS: istiod reloads cacerts on its own since Istio 1.19',
    checkDocument: (doc, ctx) => (holds('CACERTS_RELOAD_ALWAYS', ctx.istioVersion)
      ? istiodEnv(doc).filter((e) => e.name === ISTIOD_ENV.AUTO_RELOAD_PLUGIN_CERTS)
        .map((e) => ({ doc, path: e.path, message: `${e.name} was removed in Istio 1.19 (cacerts reload is always on); on ${ctx.istioVersion} it does nothing` }))
      : []),
  },
  {
    id: 'ICA028', name: 'istiod-tls-file-flags', severity: 'warning', fact: '§2b', helpUri: HELP.istioCsr,
    fix: "remove the overlay that patches istiod's --tlsCertFile/--tlsKeyFile/--caCertFile args and mounts the certificates: the istiod chart mounts the 'istiod-tls' Secret and 'istio-ca-root-cert' itself and istiod reads them",
    checkDocument: (doc, ctx) => (holds('ISTIOD_WELL_KNOWN_TLS', ctx.istioVersion)
      ? istiodArgs(doc).filter((a) => TLS_FILE_FLAG.test(a.value)).map((a) => ({
        doc, path: a.path,
        message: `${TLS_FILE_FLAG.exec(a.value)![0]} is patched into istiod's args; since Istio 1.16 the istiod chart mounts the 'istiod-tls' Secret at /var/run/secrets/istiod/tls and istiod uses it on its own (on ${ctx.istioVersion} the patch is dead weight, and a second volume for the same Secret can clash with the chart's)`,
      }))
      : []),
  },
  {
    id: 'ICA029', name: 'fleet-clusters-disagree', severity: 'error', fact: '§10', helpUri: HELP.multicluster,
    fix: 'give every cluster of one mesh its own cluster name, one trust domain (or aliases on both sides) and the same pinned roots',
    checkFleet: (indexes) => {
      const hits: FleetHit[] = [];
      for (const members of fleets(indexes)) {
        const seen = new Map<string, FleetMember>();
        members.forEach((b, j) => {
          const hit = (doc: LintDocument, path: Path, message: string) => hits.push({ doc, path, message, context: b.index });
          const global = globalPath(b.doc)!;
          const same = seen.get(b.name);
          if (same) {
            hit(b.doc, [...global, 'multiCluster', 'clusterName'], `contexts ${same.index.name} and ${b.index.name} of one mesh both name their cluster '${b.name}' ` +
              '(CLUSTER_ID): two clusters with one ID break endpoint discovery and identity checks; give each cluster its own name');
          }
          seen.set(b.name, b);
          for (const a of members.slice(0, j)) {
            if (a.name === b.name) continue;
            const td = trustDomainPairProblem(a, b, 'meshConfig.trustDomainAliases');
            if (td) hit(b.doc, [...meshConfigPath(b.doc)!, 'trustDomain'], td);
            if (!a.roots || !b.roots) continue;
            const onlyA = a.roots.certs.filter((c) => !b.roots!.certs.includes(c));
            const onlyB = b.roots.certs.filter((c) => !a.roots!.certs.includes(c));
            if (onlyA.length + onlyB.length === 0) continue;
            const differ = [
              ...onlyA.map((c) => `'${b.name}' does not trust ${rootLabel(c)}, which '${a.name}' trusts`),
              ...onlyB.map((c) => `'${a.name}' does not trust ${rootLabel(c)}, which '${b.name}' trusts`),
            ];
            hit(b.roots.doc, b.roots.path, `clusters '${a.name}' and '${b.name}' of one mesh pin different roots: ${differ.join('; ')}. Workloads of one cluster ` +
              'refuse certificates the other issues under a root they do not trust; during a root change every cluster trusts both roots before any issues from the new one');
          }
        });
      }
      return hits;
    },
  },
];

/** Metric names seen in real alert rules that no release exports (docs/reference.md §7). */
const MISSING_METRICS: Record<string, string> = {
  istio_certificate_expiration_timestamp: NOT_CERTIFICATE_METRICS.istio_certificate_expiration_timestamp,
  citadel_server_csr_sign_error_count: `does not exist; the counter is ${METRICS.CA_SIGN_ERRORS}`,
};
