/**
 * Names and defaults of every Istio setting the library emits, written once with its source.
 */

/** istio-agent (sidecar) env, set through `meshConfig.defaultConfig.proxyMetadata` (docs/reference.md §5.1). */
export const AGENT_ENV = {
  /** Lifetime the agent requests; default 24h (pilot/cmd/pilot-agent/options/options.go). */
  SECRET_TTL: 'SECRET_TTL',
  /** Fraction of life remaining when rotation starts; default 0.5. */
  SECRET_GRACE_PERIOD_RATIO: 'SECRET_GRACE_PERIOD_RATIO',
  /** ± jitter on the ratio; default 0.01; Istio 1.24+. */
  SECRET_GRACE_PERIOD_RATIO_JITTER: 'SECRET_GRACE_PERIOD_RATIO_JITTER',
} as const;

/** istiod env (docs/reference.md §1.2, §5.2). */
export const ISTIOD_ENV = {
  /** Requests above are rejected with TTL_ERROR; default 2160h (security/pkg/cmd/constants.go). */
  MAX_WORKLOAD_CERT_TTL: 'MAX_WORKLOAD_CERT_TTL',
  /** Hot reload of `cacerts` on 1.12–1.18 (pilot/pkg/features/pilot.go); removed in 1.19. */
  AUTO_RELOAD_PLUGIN_CERTS: 'AUTO_RELOAD_PLUGIN_CERTS',
  /** `false` turns istiod's CA gRPC service off (istio-csr mode, §2b); the only name (not CITADEL_*). */
  ENABLE_CA_SERVER: 'ENABLE_CA_SERVER',
  /** Only value `ISTIOD_RA_KUBERNETES_API`: istiod acts as RA for the Kubernetes CSR API (§3). */
  EXTERNAL_CA: 'EXTERNAL_CA',
  /** Signer used when the proxy sends none (§3). */
  K8S_SIGNER: 'K8S_SIGNER',
  /** Joined with ISTIO_META_CERT_SIGNER as `<domain>/<short>` (§3). */
  CERT_SIGNER_DOMAIN: 'CERT_SIGNER_DOMAIN',
  /**
   * istiod's own DNS certificate provider; `k8s.io/<signer>` in the Kubernetes CSR route, set on the istiod
   * container as in the istio.io custom-ca-k8s task (not via global.pilotCertProvider, §3). `kubernetes` is fatal.
   */
  PILOT_CERT_PROVIDER: 'PILOT_CERT_PROVIDER',
  /** Multi-root trust and runtime root updates, default false (pilot/pkg/features/pilot.go, §1.3, §6.1). */
  ISTIO_MULTIROOT_MESH: 'ISTIO_MULTIROOT_MESH',
  /**
   * Lifetime istiod gives a CSR that asks for none (pilot/pkg/bootstrap/istio_ca.go); istio-agent always asks for
   * SECRET_TTL, so it does not change sidecar lifetimes (§5.2).
   */
  DEFAULT_WORKLOAD_CERT_TTL: 'DEFAULT_WORKLOAD_CERT_TTL',
  /** Root certificate in ClusterTrustBundles instead of ConfigMaps, default false (pilot/pkg/features/pilot.go). */
  ENABLE_CLUSTER_TRUST_BUNDLE_API: 'ENABLE_CLUSTER_TRUST_BUNDLE_API',
} as const;

/**
 * Certificate env only istio-agent reads (https://github.com/istio/istio/blob/1.30.0/pilot/cmd/pilot-agent/options/options.go):
 * set on istiod they do nothing.
 */
export const AGENT_ONLY_CERT_ENV: readonly string[] = [
  'SECRET_TTL', 'SECRET_GRACE_PERIOD_RATIO', 'SECRET_GRACE_PERIOD_RATIO_JITTER', 'CA_PROVIDER', 'CA_ROOT_CA', 'PROV_CERT',
  'OUTPUT_CERTS', 'FILE_MOUNTED_CERTS', 'XDS_ROOT_CA', 'CREDENTIAL_FETCHER_TYPE', 'CREDENTIAL_IDENTITY_PROVIDER',
];
/** Every certificate env istio-agent reads (same file): a `SECRET_*` or `CA_*` name in proxyMetadata must be one. */
export const AGENT_CERT_ENV: readonly string[] = [...AGENT_ONLY_CERT_ENV, 'CA_ADDR', 'ISTIO_META_CERT_SIGNER', 'WORKLOAD_RSA_KEY_SIZE',
  'PKCS8_KEY', 'ECC_SIGNATURE_ALGORITHM', 'ECC_CURVE', 'TRUST_DOMAIN', 'PROXY_CONFIG_XDS_AGENT'];
/** istiod certificate env that istio-agent never reads: in proxyMetadata it does nothing. */
export const ISTIOD_ONLY_CERT_ENV: readonly string[] = [ISTIOD_ENV.MAX_WORKLOAD_CERT_TTL, ISTIOD_ENV.DEFAULT_WORKLOAD_CERT_TTL,
  ISTIOD_ENV.AUTO_RELOAD_PLUGIN_CERTS, ISTIOD_ENV.ENABLE_CA_SERVER, ISTIOD_ENV.EXTERNAL_CA, ISTIOD_ENV.K8S_SIGNER,
  ISTIOD_ENV.CERT_SIGNER_DOMAIN, ISTIOD_ENV.ISTIO_MULTIROOT_MESH, ISTIOD_ENV.ENABLE_CLUSTER_TRUST_BUNDLE_API];
/** istiod env names written wrong in real repositories, and the name istiod reads. */
export const ISTIOD_ENV_MISSPELLINGS: Readonly<Record<string, string>> = {
  ENABLE_CLUSTER_TRUST_BUNDLE: ISTIOD_ENV.ENABLE_CLUSTER_TRUST_BUNDLE_API,
};

/** istio-agent env: accept PCDS trust-bundle pushes, default false (pilot-agent options.go, §1.3, §6.1). */
export const AGENT_PCDS_ENV = 'PROXY_CONFIG_XDS_AGENT';

/** Pod annotation whose change rolls istiod (a restart the rotation plan needs, §6.2). */
export const RESTART_ANNOTATION = 'istio-custom-ca.io/restart';

/** The value of `EXTERNAL_CA` that selects the Kubernetes CSR RA (istio pilot/pkg/bootstrap/istio_ca.go). */
export const EXTERNAL_CA_K8S_RA = 'ISTIOD_RA_KUBERNETES_API';

/** istio-agent metadata env naming the signer, RA mode only (§3). */
export const AGENT_CERT_SIGNER_ENV = 'ISTIO_META_CERT_SIGNER';

/** Istio defaults the library's own defaults mirror (docs/reference.md §5). */
export const ISTIO_DEFAULTS = {
  secretTtlMs: 24 * 3_600_000,
  gracePeriodRatio: 0.5,
  maxWorkloadCertTtlMs: 2160 * 3_600_000,
  istioNamespace: 'istio-system',
  rootNamespace: 'istio-system',
  /** istio-csr chart defaults (csr deploy/charts/istio-csr/values.yaml, docs/reference.md §2b). */
  istioCsrNamespace: 'cert-manager',
  istioCsrServiceName: 'cert-manager-istio-csr',
  istioCsrVersion: 'v0.17.0',
  istioCsrMaxCertificateDurationMs: 3_600_000,
  istioCsrIstiodCertificateDurationMs: 3_600_000,
  /** `app.tls.certificateDuration`: istio-csr's own serving certificate; the library leaves the chart default. */
  istioCsrServingCertificateDurationMs: 3_600_000,
  clusterName: 'Kubernetes',
} as const;

/** The Secret istiod mounts as its plug-in CA (docs/reference.md §1.1). */
export const CACERTS_SECRET = 'cacerts';

/**
 * Settings that a real component ignores or rejects, which the library must never emit
 * (docs/reference.md §11). Paths are dotted within the IstioOperator `spec` or istiod Helm values.
 */
export const NEVER_EMITTED = {
  MESH_CONFIG_CA: { text: 'meshConfig.ca', claim: 'a', why: 'hidden, unimplemented field; istiod never reads it' },
  CITADEL_ENABLE_CA_SERVER: { text: 'CITADEL_ENABLE_CA_SERVER', claim: 'b', why: 'never existed; the env is ENABLE_CA_SERVER' },
  SECRET_TTL_FIELD: { text: 'secretTtl', claim: 'd', why: 'ProxyConfig has no TTL field; dropped silently' },
  VAULT_ENV: { text: 'VAULT_', claim: 'g', why: 'node-agent env of Istio 1.1-1.5; istiod never read it' },
  ISTIO_CA_ROOT_CERT: { text: 'istio-ca-root-cert', claim: 'k', why: 'owned and reconciled by istiod / istio-csr' },
} as const;
