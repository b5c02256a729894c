/**
 * The lint rules: stable ids, each citing docs/reference.md. Checks that the constructs also make at synth time
 * call the same model functions (renewBeforeProblem, workloadTtlProblem, …): no rule is written twice.
 */
import { parseGoDuration } from '../model/durations';
import { trustDomainMismatchProblem, trustDomainProblem, DEFAULT_TRUST_DOMAIN } from '../model/identity';
import { CERT_MANAGER_DEFAULTS, CERT_MANAGER_GROUP } from '../model/cert-manager';
import { AGENT_CERT_SIGNER_ENV, AGENT_ENV, CACERTS_SECRET, EXTERNAL_CA_K8S_RA, ISTIO_DEFAULTS, ISTIOD_ENV } from '../model/istio-settings';
import { istioCaRootCertNameProblem, istioMutualCaCertificatesProblem, rootNamespaceSelectorProblem } from '../model/istio-policy-rules';
import { holds } from '../model/istio-version';
import { certManagerMinimumProblem, graceRatioProblem, renewBeforeProblem, vaultCapProblem, workloadTtlProblem } from '../model/lifetime-rules';
import { METRICS, NOT_CERTIFICATE_METRICS } from '../model/metrics';
import { DocKind, LintDocument } from './documents';

export type Severity = 'error' | 'warning';
export type Path = (string | number)[];

/** What the rules know about the target. */
export interface LintContext {
  readonly istioVersion: string;
  readonly istioNamespace: string;
  readonly rootNamespace: string;
}

/** A rule's hit: the document, the path inside it and the message. */
export interface Hit {
  readonly doc: LintDocument;
  readonly path: Path;
  readonly message: string;
}

/** One lint rule. */
export interface LintRule {
  readonly id: string;
  readonly name: string;
  readonly severity: Severity;
  /** The fact it enforces, in docs/reference.md. */
  readonly fact: string;
  readonly fix: string;
  check(docs: readonly LintDocument[], ctx: LintContext): Hit[];
}

interface Entry { readonly name: string; readonly value: unknown; readonly path: Path }

const get = (obj: any, path: Path): any => path.reduce((o, k) => (o == null ? undefined : o[k]), obj);

/** `env` given as a map or as a list of {name, value}. */
function envEntries(obj: any, base: Path): Entry[] {
  const env = get(obj, base);
  if (Array.isArray(env)) return env.map((e, i) => ({ name: String(e?.name), value: e?.value, path: [...base, i] }));
  if (env && typeof env === 'object') return Object.entries(env).map(([name, value]) => ({ name, value, path: [...base, name] }));
  return [];
}

/** istiod's container env in an IstioOperator or istiod Helm values. */
function istiodEnv(doc: LintDocument): Entry[] {
  if (doc.kind === DocKind.ISTIO_OPERATOR) {
    return [...envEntries(doc.data, ['spec', 'values', 'pilot', 'env']), ...envEntries(doc.data, ['spec', 'components', 'pilot', 'k8s', 'env'])];
  }
  if (doc.kind === DocKind.ISTIOD_VALUES) return [...envEntries(doc.data, ['env']), ...envEntries(doc.data, ['pilot', 'env'])];
  return [];
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

/** istio-agent env: meshConfig proxyMetadata, or a ProxyConfig's environmentVariables. */
function agentEnv(doc: LintDocument): Entry[] {
  const mc = meshConfigPath(doc);
  if (mc) return envEntries(doc.data, [...mc, 'defaultConfig', 'proxyMetadata']);
  if (isKind(doc, 'ProxyConfig')) return envEntries(doc.data, ['spec', 'environmentVariables']);
  return [];
}

function isKind(doc: LintDocument, kind: string, group?: string): boolean {
  return doc.kind === DocKind.MANIFEST && doc.data.kind === kind && (group === undefined || String(doc.data.apiVersion).startsWith(`${group}/`));
}

const installDocs = (docs: readonly LintDocument[]) => docs.filter((d) => d.kind === DocKind.ISTIO_OPERATOR || d.kind === DocKind.ISTIOD_VALUES);

/** Each alert/record expression of a rule file or PrometheusRule, with its path. */
function ruleExprs(doc: LintDocument): { expr: string; path: Path }[] {
  const base: Path | undefined = doc.kind === DocKind.PROMETHEUS_RULES ? ['groups']
    : isKind(doc, 'PrometheusRule', 'monitoring.coreos.com') ? ['spec', 'groups'] : undefined;
  if (!base) return [];
  const out: { expr: string; path: Path }[] = [];
  (get(doc.data, base) ?? []).forEach((g: any, gi: number) => (g?.rules ?? []).forEach((r: any, ri: number) => {
    if (r?.expr !== undefined) out.push({ expr: String(r.expr), path: [...base, gi, 'rules', ri, 'expr'] });
  }));
  return out;
}

function certificates(docs: readonly LintDocument[]) {
  return docs.filter((d) => isKind(d, 'Certificate', CERT_MANAGER_GROUP));
}

/** The issuer a Certificate refers to, among the documents. */
function issuerOf(cert: LintDocument, docs: readonly LintDocument[]): LintDocument | undefined {
  const ref = cert.data.spec?.issuerRef ?? {};
  const kind = ref.kind ?? 'Issuer';
  return docs.find((d) => isKind(d, kind, CERT_MANAGER_GROUP) && d.data.metadata?.name === ref.name &&
    (kind === 'ClusterIssuer' || (d.data.metadata?.namespace ?? 'default') === (cert.data.metadata?.namespace ?? 'default')));
}

/** `${vault_mount.x.path}` → the mount's literal path, when the Terraform holds it. */
function terraformValue(value: unknown, tf: readonly LintDocument[]): unknown {
  const m = typeof value === 'string' ? /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}$/.exec(value) : null;
  if (!m) return value;
  for (const d of tf) {
    const v = d.data.resource?.[m[1]]?.[m[2]]?.[m[3]];
    if (v !== undefined) return terraformValue(v, tf);
  }
  return value;
}

/** Vault TTL: Go duration or plain seconds. */
function ttlMs(v: unknown): number | undefined {
  if (typeof v === 'number') return v * 1000;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v) * 1000;
  return typeof v === 'string' ? parseGoDuration(v) : undefined;
}

export const RULES: readonly LintRule[] = [
  {
    id: 'ICA001', name: 'mesh-config-ca', severity: 'error', fact: '§3, §11 a',
    fix: 'remove meshConfig.ca; for the Kubernetes CSR route set istiod env EXTERNAL_CA=ISTIOD_RA_KUBERNETES_API with K8S_SIGNER and meshConfig.caCertificates (CaIntegration.kubernetesCsr)',
    check: (docs) => installDocs(docs).flatMap((doc) => {
      const mc = meshConfigPath(doc)!;
      return get(doc.data, [...mc, 'ca']) !== undefined
        ? [{ doc, path: [...mc, 'ca'], message: 'meshConfig.ca is a hidden, unimplemented field: istiod never reads it, and it does not select the Kubernetes CA' }]
        : [];
    }),
  },
  {
    id: 'ICA002', name: 'citadel-enable-ca-server', severity: 'error', fact: '§2b, §11 b',
    fix: 'use istiod env ENABLE_CA_SERVER: "false" (the only name) together with global.caAddress pointing at istio-csr',
    check: (docs) => docs.flatMap((doc) => istiodEnv(doc).filter((e) => e.name === 'CITADEL_ENABLE_CA_SERVER')
      .map((e) => ({ doc, path: e.path, message: 'istiod env CITADEL_ENABLE_CA_SERVER never existed: istiod ignores it and keeps its CA server running' }))),
  },
  {
    id: 'ICA003', name: 'cert-signer-outside-ra', severity: 'error', fact: '§3, §11 b',
    fix: `remove ${AGENT_CERT_SIGNER_ENV}, or use the Kubernetes CSR route (istiod env ${ISTIOD_ENV.EXTERNAL_CA}=${EXTERNAL_CA_K8S_RA} and ${ISTIOD_ENV.CERT_SIGNER_DOMAIN})`,
    check: (docs) => {
      const ra = docs.some((d) => istiodEnv(d).some((e) => e.name === ISTIOD_ENV.EXTERNAL_CA && e.value === EXTERNAL_CA_K8S_RA));
      if (ra) return [];
      return docs.flatMap((doc) => agentEnv(doc).filter((e) => e.name === AGENT_CERT_SIGNER_ENV).map((e) => ({
        doc, path: e.path,
        message: `${AGENT_CERT_SIGNER_ENV} (${String(e.value)}) only matters when istiod is a Kubernetes CSR RA, and no istiod here sets ` +
          `${ISTIOD_ENV.EXTERNAL_CA}=${EXTERNAL_CA_K8S_RA}; istio-csr and istiod's own CA ignore it`,
      })));
    },
  },
  {
    id: 'ICA004', name: 'secret-ttl-field', severity: 'error', fact: '§5.1, §11 d',
    fix: `set ${AGENT_ENV.SECRET_TTL} in meshConfig.defaultConfig.proxyMetadata (or a ProxyConfig's environmentVariables) and restart workloads`,
    check: (docs) => docs.flatMap((doc) => {
      const base = meshConfigPath(doc) ? [...meshConfigPath(doc)!, 'defaultConfig'] : isKind(doc, 'ProxyConfig') ? ['spec'] : undefined;
      return base && get(doc.data, [...base, 'secretTtl']) !== undefined
        ? [{ doc, path: [...base, 'secretTtl'], message: 'ProxyConfig has no secretTtl field: it is dropped silently and the workload certificate lifetime does not change' }]
        : [];
    }),
  },
  {
    id: 'ICA005', name: 'agent-env-on-istiod', severity: 'error', fact: '§5.1, §11 d',
    fix: 'move it to meshConfig.defaultConfig.proxyMetadata (istio-agent env); istiod bounds lifetimes with MAX_WORKLOAD_CERT_TTL',
    check: (docs) => docs.flatMap((doc) => istiodEnv(doc).filter((e) => (Object.values(AGENT_ENV) as string[]).includes(e.name))
      .map((e) => ({ doc, path: e.path, message: `${e.name} is istio-agent (sidecar) env; istiod does not read it, so it has no effect here` }))),
  },
  {
    id: 'ICA006', name: 'vault-env-on-istiod', severity: 'error', fact: '§4.1, §11 g',
    fix: 'use a cert-manager Vault issuer feeding cacerts (root/sign-intermediate) or istio-csr (MeshPki, VaultPkiBackend)',
    check: (docs) => docs.flatMap((doc) => istiodEnv(doc).filter((e) => e.name.startsWith('VAULT_'))
      .map((e) => ({ doc, path: e.path, message: `${e.name} was node-agent env in Istio 1.1-1.5; istiod never read it and has no Vault integration` }))),
  },
  {
    id: 'ICA007', name: 'pilot-cert-provider-kubernetes', severity: 'error', fact: '§3, §11 a',
    fix: 'keep pilotCertProvider: istiod (the default); for the Kubernetes CSR route use CaIntegration.kubernetesCsr',
    check: (docs) => docs.flatMap((doc) => {
      const hits: Hit[] = [];
      const g = globalPath(doc);
      if (g && get(doc.data, [...g, 'pilotCertProvider']) === 'kubernetes') {
        hits.push({ doc, path: [...g, 'pilotCertProvider'], message: "pilotCertProvider 'kubernetes' used the legacy signer: istiod exits with log.Fatal since Istio 1.23, and the signer is gone since Kubernetes 1.22" });
      }
      for (const e of istiodEnv(doc)) {
        if (e.name === 'PILOT_CERT_PROVIDER' && e.value === 'kubernetes') {
          hits.push({ doc, path: e.path, message: "PILOT_CERT_PROVIDER=kubernetes is fatal since Istio 1.23 (legacy signer, gone since Kubernetes 1.22)" });
        }
      }
      return hits;
    }),
  },
  {
    id: 'ICA008', name: 'istio-mutual-ca-certificates', severity: 'error', fact: '§8.3, §11 j',
    fix: 'remove caCertificates: ISTIO_MUTUAL always trusts the mesh bundle; narrow peers with subjectAltNames (SPIFFE IDs), or use MUTUAL to pin a foreign CA',
    check: (docs) => docs.filter((d) => isKind(d, 'DestinationRule', 'networking.istio.io')).flatMap((doc) => {
      const hits: Hit[] = [];
      const visit = (policy: any, path: Path) => {
        if (!policy) return;
        const p = policy.tls?.mode === 'ISTIO_MUTUAL' ? istioMutualCaCertificatesProblem(policy.tls?.caCertificates) : undefined;
        if (p) hits.push({ doc, path: [...path, 'tls', 'caCertificates'], message: p });
        (policy.portLevelSettings ?? []).forEach((p: any, i: number) => visit(p, [...path, 'portLevelSettings', i]));
      };
      visit(doc.data.spec?.trafficPolicy, ['spec', 'trafficPolicy']);
      (doc.data.spec?.subsets ?? []).forEach((s: any, i: number) => visit(s?.trafficPolicy, ['spec', 'subsets', i, 'trafficPolicy']));
      return hits;
    }),
  },
  {
    id: 'ICA009', name: 'peer-auth-selector-in-root-namespace', severity: 'error', fact: '§8.2',
    fix: "move the policy to the workload's own namespace (PermissivePeerAuth does)",
    check: (docs, ctx) => docs.filter((d) => isKind(d, 'PeerAuthentication', 'security.istio.io') && d.data.spec?.selector !== undefined)
      .flatMap((doc) => {
        const p = rootNamespaceSelectorProblem(doc.data.metadata?.namespace ?? 'default', ctx.rootNamespace);
        return p ? [{ doc, path: ['metadata', 'namespace'], message: p }] : [];
      }),
  },
  {
    id: 'ICA010', name: 'alert-metric-does-not-exist', severity: 'error', fact: '§7, §11 i',
    fix: `use ${METRICS.AGENT_CERT_EXPIRY_SECONDS}, ${METRICS.CA_CHAIN_EXPIRY_SECONDS} / _timestamp, ${METRICS.CA_SIGN_ERRORS}, ${METRICS.CM_CERT_EXPIRATION} (CertAlertRules generates them)`,
    check: (docs, ctx) => docs.flatMap((doc) => ruleExprs(doc).flatMap(({ expr, path }) => {
      const hits: Hit[] = [];
      for (const [metric, why] of Object.entries(NOT_CERTIFICATE_METRICS)) {
        if (new RegExp(`\\b${metric}\\b`).test(expr)) hits.push({ doc, path, message: `${metric}: ${why}` });
      }
      if (/\bpilot_xds_(eds|lds|rds)_reject\b/.test(expr)) hits.push({ doc, path, message: 'pilot_xds_*_reject are legacy gauges of Envoy NACKs, unrelated to certificates (§7.4)' });
      if (/\bcitadel_server_csr_sign_error_count\b/.test(expr)) hits.push({ doc, path, message: `citadel_server_csr_sign_error_count does not exist; the counter is ${METRICS.CA_SIGN_ERRORS}` });
      if (!holds('CA_EXPIRY_SECONDS_METRICS', ctx.istioVersion) && /\bcitadel_server_(cert_chain|root_cert)_expiry_seconds\b/.test(expr)) {
        hits.push({ doc, path, message: `citadel_server_*_expiry_seconds exist from Istio 1.23, not in ${ctx.istioVersion}; use the _timestamp gauges minus time()` });
      }
      return hits;
    })),
  },
  {
    id: 'ICA011', name: 'hand-made-istio-ca-root-cert', severity: 'error', fact: '§6.5, §11 k',
    fix: 'do not write istio-ca-root-cert: rotate roots through cacerts, meshConfig.caCertificates or istio-csr rootCAFile (a differently named trust bundle)',
    check: (docs) => docs.filter((d) => isKind(d, 'ConfigMap') || isKind(d, 'Bundle', 'trust.cert-manager.io')).flatMap((doc) => {
      const p = istioCaRootCertNameProblem('metadata.name', String(doc.data.metadata?.name));
      return p ? [{ doc, path: ['metadata', 'name'], message: `${doc.data.kind} ${p}; it is reverted, and it is not the workload mTLS trust source` }] : [];
    }),
  },
  {
    id: 'ICA012', name: 'cacerts-outside-istiod-namespace', severity: 'error', fact: '§1.1, §2a',
    fix: "create the cacerts Certificate in istiod's namespace (--istio-namespace)",
    check: (docs, ctx) => certificates(docs).filter((d) => d.data.spec?.secretName === CACERTS_SECRET && (d.data.metadata?.namespace ?? 'default') !== ctx.istioNamespace)
      .map((doc) => ({ doc, path: ['metadata', 'namespace'], message: `the cacerts Certificate is in ${doc.data.metadata?.namespace ?? 'default'}, but istiod only mounts cacerts from its own namespace (${ctx.istioNamespace})` })),
  },
  {
    id: 'ICA013', name: 'cacerts-not-ca', severity: 'error', fact: '§2a, §11 c',
    fix: 'set spec.isCA: true (and usages digital signature, key encipherment, cert sign)',
    check: (docs) => certificates(docs).filter((d) => d.data.spec?.secretName === CACERTS_SECRET && d.data.spec?.isCA !== true)
      .map((doc) => ({ doc, path: ['spec', 'isCA'], message: 'the cacerts Certificate is not a CA (isCA is not true): istiod cannot sign workload certificates with it' })),
  },
  {
    id: 'ICA014', name: 'certificate-lifetimes', severity: 'error', fact: '§2a, §11 h',
    fix: 'make renewBefore shorter than duration, and duration at least 1h',
    check: (docs) => certificates(docs).flatMap((doc) => {
      const d = parseGoDuration(String(doc.data.spec?.duration ?? CERT_MANAGER_DEFAULTS.certificateDuration)) ?? 0;
      const hits: Hit[] = [];
      const min = certManagerMinimumProblem('duration', d);
      if (min && doc.data.spec?.duration !== undefined) hits.push({ doc, path: ['spec', 'duration'], message: min });
      if (doc.data.spec?.renewBefore !== undefined) {
        const p = renewBeforeProblem(d, parseGoDuration(String(doc.data.spec.renewBefore)) ?? 0);
        if (p) hits.push({ doc, path: ['spec', 'renewBefore'], message: p });
      }
      return hits;
    }),
  },
  {
    id: 'ICA015', name: 'vault-role-caps-certificate', severity: 'error', fact: '§4.3, §11 h',
    fix: "raise the Vault role's max_ttl to the Certificate duration, or shorten the duration",
    check: (docs) => {
      const tf = docs.filter((d) => d.kind === DocKind.TERRAFORM);
      const hits: Hit[] = [];
      for (const cert of certificates(docs)) {
        const path = issuerOf(cert, docs)?.data.spec?.vault?.path;
        const m = typeof path === 'string' ? /^(.+)\/sign\/([^/]+)$/.exec(path) : null;
        if (!m) continue;
        for (const t of tf) {
          for (const [addr, role] of Object.entries<any>(t.data.resource?.vault_pki_secret_backend_role ?? {})) {
            if (role?.name !== m[2] || terraformValue(role?.backend, tf) !== m[1]) continue;
            const cap = ttlMs(role.max_ttl);
            const requested = parseGoDuration(String(cert.data.spec?.duration ?? CERT_MANAGER_DEFAULTS.certificateDuration));
            if (cap === undefined || requested === undefined) continue;
            const p = vaultCapProblem(`Certificate ${cert.data.metadata?.namespace}/${cert.data.metadata?.name} 'duration'`, requested, `Vault role ${m[1]}/${m[2]} max_ttl (${t.file} ${addr})`, cap);
            if (p) hits.push({ doc: cert, path: ['spec', 'duration'], message: p });
          }
        }
      }
      return hits;
    },
  },
  {
    id: 'ICA016', name: 'trust-domain-mismatch', severity: 'error', fact: '§2b, §10',
    fix: 'set app.tls.trustDomain to meshConfig.trustDomain (IstioCustomCa writes both from one prop)',
    check: (docs) => {
      const mesh = installDocs(docs).map((d) => ({ d, td: String(get(d.data, [...meshConfigPath(d)!, 'trustDomain']) ?? DEFAULT_TRUST_DOMAIN) }));
      return docs.filter((d) => d.kind === DocKind.ISTIO_CSR_VALUES).flatMap((doc) => {
        const td = String(doc.data.app?.tls?.trustDomain ?? DEFAULT_TRUST_DOMAIN);
        return mesh.flatMap((m) => {
          const p = trustDomainMismatchProblem('istio-csr app.tls.trustDomain', td, `meshConfig.trustDomain in ${m.d.file}`, m.td);
          return p ? [{ doc, path: ['app', 'tls', 'trustDomain'], message: p }] : [];
        });
      });
    },
  },
  {
    id: 'ICA017', name: 'invalid-trust-domain', severity: 'error', fact: '§10',
    fix: 'use DNS-1123 labels: lowercase letters, digits and -',
    check: (docs) => installDocs(docs).flatMap((doc) => {
      const path = [...meshConfigPath(doc)!, 'trustDomain'];
      const td = get(doc.data, path);
      const p = td === undefined ? undefined : trustDomainProblem('meshConfig.trustDomain', String(td));
      return p ? [{ doc, path, message: p }] : [];
    }),
  },
  {
    id: 'ICA018', name: 'workload-ttl-above-max', severity: 'error', fact: '§5.2',
    fix: 'lower SECRET_TTL or raise istiod env MAX_WORKLOAD_CERT_TTL',
    check: (docs) => installDocs(docs).flatMap((doc) => {
      const ttl = agentEnv(doc).find((e) => e.name === AGENT_ENV.SECRET_TTL);
      const max = istiodEnv(doc).find((e) => e.name === ISTIOD_ENV.MAX_WORKLOAD_CERT_TTL);
      const ttlMsV = ttl ? parseGoDuration(String(ttl.value)) : undefined;
      const maxMs = max ? parseGoDuration(String(max.value)) : ISTIO_DEFAULTS.maxWorkloadCertTtlMs;
      const p = ttlMsV !== undefined && maxMs !== undefined ? workloadTtlProblem(ttlMsV, maxMs) : undefined;
      return p ? [{ doc, path: ttl!.path, message: p }] : [];
    }),
  },
  {
    id: 'ICA019', name: 'grace-period-ratio-range', severity: 'error', fact: '§5.1',
    fix: 'use a ratio between 0 and 1 (Istio default 0.5)',
    check: (docs) => docs.flatMap((doc) => agentEnv(doc).filter((e) => e.name === AGENT_ENV.SECRET_GRACE_PERIOD_RATIO).flatMap((e) => {
      const p = graceRatioProblem(Number(e.value));
      return p ? [{ doc, path: e.path, message: p }] : [];
    })),
  },
  {
    id: 'ICA020', name: 'vault-role-path-for-ca', severity: 'error', fact: '§4.3, §11 c',
    fix: "point the issuer at '<mount>/root/sign-intermediate' for an isCA Certificate",
    check: (docs) => certificates(docs).filter((d) => d.data.spec?.isCA === true).flatMap((cert) => {
      const path = issuerOf(cert, docs)?.data.spec?.vault?.path;
      return typeof path === 'string' && /\/sign\/[^/]+$/.test(path)
        ? [{ doc: cert, path: ['spec', 'issuerRef'], message: `its Vault issuer signs at ${path}, a role path that only issues leaf certificates (CA:FALSE), so this CA certificate can never be issued` }]
        : [];
    }),
  },
];
