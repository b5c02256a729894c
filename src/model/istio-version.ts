/**
 * Istio minor versions and the version boundaries this library depends on, one row per fact with its
 * source (docs/reference.md). Every version-dependent choice in the library reads this table.
 */

/** A parsed Istio `1.<minor>` version. */
export interface IstioMinor {
  readonly major: number;
  readonly minor: number;
}

/** Oldest Istio the facts were checked against (docs/reference.md: tags 1.10.0 … 1.30.0). */
export const OLDEST_KNOWN_ISTIO = '1.10';
/** The newest Istio release the shipped CRD schemas come from (the CRD schemas the tests validate against). */
export const DEFAULT_ISTIO_VERSION = '1.30';

/** Parsed versions by text: every construct checks its version, and a mesh has few distinct ones. */
const PARSED = new Map<string, IstioMinor | undefined>();

/** Parses `1.30` or `1.30.3`; undefined when it is neither. */
export function parseIstioVersion(text: string): IstioMinor | undefined {
  if (PARSED.has(text)) return PARSED.get(text);
  const m = /^v?(\d+)\.(\d+)(\.\d+)?$/.exec(text.trim());
  const parsed = m ? Object.freeze({ major: Number(m[1]), minor: Number(m[2]) }) : undefined;
  if (PARSED.size < 1000) PARSED.set(text, parsed);
  return parsed;
}

/** Problem text when `text` is not a supported Istio version, else undefined. */
export function istioVersionProblem(prop: string, text: string): string | undefined {
  // Only `1.<minor>`: every version fact is per minor, and a patch or 'v' prefix would be copied into NOTES as given.
  const v = typeof text === 'string' && /^1\.\d{1,3}$/.test(text) ? parseIstioVersion(text) : undefined;
  const oldest = parseIstioVersion(OLDEST_KNOWN_ISTIO)!;
  if (v && v.minor >= oldest.minor) return undefined;
  return `'${prop}' (${text}) is not a supported Istio version; give '1.<minor>' (e.g. ${DEFAULT_ISTIO_VERSION}; patch releases share ` +
    `their minor's facts) with minor ${oldest.minor} or later`;
}

/** The version-dependent facts, by id. `since`/`until` are inclusive minor versions. */
export interface VersionFact {
  readonly since: string;
  readonly until?: string;
  readonly fact: string;
  readonly source: string;
}

export const VERSION_FACTS = {
  /** istiod reads a kubernetes.io/tls-layout `cacerts` (tls.crt, tls.key, ca.crt). */
  TLS_LAYOUT_CACERTS: {
    since: '1.15',
    fact: "istiod reads a kubernetes.io/tls 'cacerts' Secret (tls.crt, tls.key, ca.crt)",
    source: 'docs/reference.md §1.1; istio releasenotes/notes/k8s-tls-secret-cacerts.yaml',
  },
  /** `cacerts` changes are reloaded only when istiod env AUTO_RELOAD_PLUGIN_CERTS=true (default false). */
  CACERTS_RELOAD_FLAG_OFF: {
    since: '1.12',
    until: '1.17',
    fact: "istiod reloads 'cacerts' only with env AUTO_RELOAD_PLUGIN_CERTS=true (default false)",
    source: 'docs/reference.md §1.2; istio releasenotes/notes/31522.yaml',
  },
  /** `cacerts` reload is always on (flag removed). */
  CACERTS_RELOAD_ALWAYS: {
    since: '1.19',
    fact: "istiod always reloads 'cacerts' (AUTO_RELOAD_PLUGIN_CERTS removed)",
    source: 'docs/reference.md §1.2; Istio 1.19 change notes',
  },
  /** istiod Helm chart values are flat (no `pilot:` level). */
  HELM_FLAT_VALUES: {
    since: '1.24',
    fact: 'the istiod Helm chart reads env and podAnnotations at the top level (it folds pilot.* into the top level)',
    source: 'docs/reference.md §9, §12.1; https://github.com/istio/istio/blob/1.24.0/manifests/charts/istio-control/istio-discovery/templates/zzy_descope_legacy.yaml',
  },
  /** `security.istio.io/v1` and `networking.istio.io/v1` are served. */
  V1_APIS: {
    since: '1.22',
    fact: 'security.istio.io/v1 and networking.istio.io/v1 APIs are served',
    source: 'docs/reference.md §8.1; https://istio.io/latest/blog/2024/v1-apis/',
  },
  /** `*_seconds` CA expiry gauges exist. */
  CA_EXPIRY_SECONDS_METRICS: {
    since: '1.23',
    fact: 'citadel_server_*_expiry_seconds gauges exist',
    source: 'docs/reference.md §7.1',
  },
  /** istiod refreshes its CA expiry gauges when it reloads cacerts. */
  CA_EXPIRY_REFRESH_ON_RELOAD: {
    since: '1.24',
    fact: 'istiod refreshes its CA expiry gauges when it reloads cacerts',
    source: 'docs/reference.md §1.2; istio releasenotes/notes/stale-cert-expiration-metrics.yaml',
  },
  /** istio-agent exports istio_agent_cert_expiry_seconds. */
  AGENT_CERT_EXPIRY_METRIC: {
    since: '1.14',
    fact: 'istio-agent exports istio_agent_cert_expiry_seconds',
    source: 'docs/reference.md §7.2; security/pkg/nodeagent/cache/monitoring.go',
  },
  /** istio-agent reads SECRET_GRACE_PERIOD_RATIO_JITTER. */
  GRACE_PERIOD_JITTER: {
    since: '1.24',
    fact: 'istio-agent reads SECRET_GRACE_PERIOD_RATIO_JITTER (default 0.01)',
    source: 'docs/reference.md §5.1',
  },
  /** Multi-root updates must byte-contain the old bundle. */
  MULTIROOT_BYTE_APPEND: {
    since: '1.20',
    until: '1.29',
    fact: 'a multi-root cacerts update must byte-contain the old root bundle (append only)',
    source: 'docs/reference.md §1.3; istio@1.29.0 vs 1.30.0 pilot/pkg/bootstrap/istio_ca.go',
  },
  /** istio-agent sends ISTIO_META_CERT_SIGNER as CSR metadata; meshConfig.caCertificates has certSigners. */
  CERT_SIGNER_METADATA: {
    since: '1.12',
    fact: 'proxies send ISTIO_META_CERT_SIGNER and meshConfig.caCertificates[].certSigners exists',
    source: 'docs/reference.md §3; pilot/cmd/pilot-agent/options/options.go',
  },
  /** The istiod chart renders the CSR approve RBAC from `global.certSigners`. */
  HELM_CERT_SIGNERS: {
    since: '1.18',
    fact: 'the istiod chart grants signers/approve from global.certSigners',
    source: 'docs/reference.md §3, §9; manifests/charts/istio-control/istio-discovery/templates/clusterrole.yaml',
  },
  /** istiod mounts `istiod-tls` and `istio-ca-root-cert` as well-known files (needed by istio-csr mode). */
  ISTIOD_WELL_KNOWN_TLS: {
    since: '1.16',
    fact: "the istiod chart mounts the 'istiod-tls' Secret that istio-csr writes and istiod uses it automatically",
    source: 'docs/reference.md §2b; istio@1.16.0 deployment.yaml, pilot/pkg/bootstrap/server.go hasCustomTLSCerts',
  },
  /** Istio 1.24 enforces ALPN on gRPC, which istio-csr below v0.13 does not negotiate. */
  GRPC_ALPN_ENFORCED: {
    since: '1.24',
    fact: 'gRPC clients enforce ALPN, so istio-csr must be v0.13.0 or later',
    source: 'docs/reference.md §2b; https://istio.io/latest/news/releases/1.24.x/announcing-1.24/upgrade-notes/',
  },
  /** Ambient (beta from 1.22): the ztunnel chart values written here (caAddress, env, multiCluster.clusterName). */
  AMBIENT_ZTUNNEL_VALUES: {
    since: '1.22',
    fact: 'ambient mode is beta and the ztunnel chart reads caAddress, env and multiCluster.clusterName as written here (rendered from the 1.22.8 chart)',
    source: 'https://istio.io/latest/news/releases/1.22.x/announcing-1.22/; docs/reference.md §12.4',
  },
  /** The ztunnel chart sets NETWORK from its `network` value (absent from the 1.22.8 and 1.24.6 charts). */
  ZTUNNEL_NETWORK: {
    since: '1.30',
    fact: "the ztunnel chart passes its 'network' value to ztunnel as NETWORK (rendered from the 1.30.3 chart; the 1.24.6 chart has no such value, releases between were not checked)",
    source: 'manifests/charts/ztunnel/templates/daemonset.yaml at 1.30.3',
  },
  /** Leaf NotAfter is clamped to the signing certificate's NotAfter. */
  LEAF_CLAMPED_TO_SIGNER: {
    since: '1.30',
    fact: "a workload leaf's NotAfter is clamped to the signing certificate's NotAfter",
    source: 'docs/reference.md §1.3; istio@1.30.0 security/pkg/pki/util/generate_cert.go',
  },
} as const satisfies Record<string, VersionFact>;

export type VersionFactId = keyof typeof VERSION_FACTS;

function minorOf(text: string): number {
  return parseIstioVersion(text)!.minor;
}

/** True when the fact holds for `version` (which must already be valid). */
export function holds(id: VersionFactId, version: string): boolean {
  const f: VersionFact = VERSION_FACTS[id];
  const m = minorOf(version);
  return m >= minorOf(f.since) && (f.until === undefined || m <= minorOf(f.until));
}

/** Problem text naming the version and the fact when `id` does not hold for `version`, else undefined. */
export function requireFact(prop: string, version: string, id: VersionFactId, what: string,
  fix = 'target a supported Istio version or choose another integration'): string | undefined {
  if (holds(id, version)) return undefined;
  const f: VersionFact = VERSION_FACTS[id];
  const range = f.until ? `${f.since} to ${f.until}` : `${f.since} or later`;
  return `'${prop}' (${version}) cannot be used with ${what}: it needs Istio ${range}, because ${f.fact} ` +
    `only there (${f.source}); ${fix}`;
}

/** Parses `v0.13.0` / `0.13` into [major, minor], or undefined. */
export function parseSemver(text: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)(\.\d+)?$/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Oldest istio-csr release per requirement (docs/reference.md §2b, installation.md). */
export const ISTIO_CSR_MINIMUMS = {
  /** Istio 1.24+ enforces gRPC ALPN. */
  ISTIO_1_24: { version: 'v0.13.0', why: "Istio 1.24 and later enforce gRPC ALPN, which older istio-csr does not negotiate" },
  /** Ambient (ztunnel) support. */
  AMBIENT: { version: 'v0.12.0', why: 'istio-csr serves ztunnel (ambient mode) from v0.12.0' },
} as const;

/** True when istio-csr `version` is at least `minimum`. */
export function csrAtLeast(version: string, minimum: string): boolean {
  const a = parseSemver(version)!;
  const b = parseSemver(minimum)!;
  return a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]);
}
