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
} as const;

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
