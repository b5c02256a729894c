import { Duration } from 'cdk8s';
import { IssuerKind } from '../k8s/cert-manager-issuer';
import { IssuancePolicy } from '../k8s/issuance-policy';
import { RootCaBundle } from '../k8s/root-ca-bundle';
import { VaultPkiRoute } from './vault-pki-backend';
import { VaultTokenValidation } from './vault-token-validation';

/**
 * One plain typed config for the whole Vault-backed mesh PKI. Both halves (cdk8s and cdktf) are built from
 * these values, never from each other's tokens, so they cannot disagree.
 */
export interface MeshPkiConfig {
  /**
   * Route 1 (Vault signs the Istio intermediate in `cacerts`), route 2 (Vault signs leaves for istio-csr) or route 3
   * (Vault signs leaves for cert-manager's Kubernetes CSR signer, istiod as registration authority).
   */
  readonly route: VaultPkiRoute;
  /** Vault address, https. */
  readonly vaultAddress: string;
  /**
   * How Vault validates cert-manager's ServiceAccount token: `VaultTokenValidation.tokenReview()` for Vault in the
   * cluster, `serviceAccountIssuerKeys()` / `oidcDiscovery()` (JWT auth) for Vault outside it. Give this or
   * `kubernetesHost`.
   * @default - TokenReview against kubernetesHost
   */
  readonly tokenValidation?: VaultTokenValidation;
  /**
   * Kubernetes API server URL, for Vault's TokenReview calls (Vault in the cluster); shorthand for
   * `tokenValidation: VaultTokenValidation.tokenReview({ kubernetesHost })`.
   * @default - none; required unless tokenValidation is given
   */
  readonly kubernetesHost?: string;
  /**
   * PEM CA of the Kubernetes API server (public), with `kubernetesHost`.
   * @default - Vault's own trust store
   */
  readonly kubernetesCaCertPem?: string;
  /**
   * SPIFFE trust domain, used by Istio and by the Vault role.
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * istiod's namespace.
   * @default 'istio-system'
   */
  readonly istioNamespace?: string;
  /**
   * Istio version targeted.
   * @default '1.30'
   */
  readonly istioVersion?: string;
  /**
   * Secret in the issuer's namespace (istiod's namespace for the default Issuer; cert-manager's cluster resource namespace
   * for a ClusterIssuer) whose `ca.crt` verifies Vault's TLS certificate.
   * @default - cert-manager's system trust store
   */
  readonly vaultCaBundleSecretName?: string;
  /**
   * Common name of a root generated in Vault.
   * @default 'Istio Mesh Root CA'
   */
  readonly rootCommonName?: string;
  /**
   * Lifetime of a generated root.
   * @default Duration.hours(87600)
   */
  readonly rootTtl?: Duration;
  /**
   * Root PKI mount path; with `adoptExistingRoot`, the existing mount.
   * @default 'pki'
   */
  readonly rootMountPath?: string;
  /**
   * Adopt the root that already exists at `rootMountPath` instead of generating one.
   * @default false
   */
  readonly adoptExistingRoot?: boolean;
  /**
   * Max lease TTL of the root mount.
   * @default - the root ttl
   */
  readonly rootMaxLeaseTtl?: Duration;
  /**
   * Routes 2 and 3: intermediate mount path.
   * @default 'pki_int'
   */
  readonly intermediateMountPath?: string;
  /**
   * Routes 2 and 3: Vault intermediate lifetime.
   * @default Duration.hours(43800)
   */
  readonly intermediateTtl?: Duration;
  /**
   * Routes 2 and 3: leaf role name.
   * @default 'istio-workload'
   */
  readonly leafRoleName?: string;
  /**
   * Routes 2 and 3: role max_ttl.
   * @default Duration.hours(24)
   */
  readonly leafMaxTtl?: Duration;
  /**
   * Route 2: istio-csr `app.server.maxCertificateDuration`, the workload leaf lifetime it requests.
   * @default Duration.hours(1)
   */
  readonly istioCsrMaxCertificateDuration?: Duration;
  /**
   * Route 2: istio-csr `app.tls.istiodCertificateDuration`.
   * @default Duration.hours(1)
   */
  readonly istiodCertificateDuration?: Duration;
  /**
   * Route 2: the root bundle istio-csr pins. Fill it from the Terraform output `istio_root_ca_pem` (public).
   * @default RootCaBundle.fromConfigMap({ name: 'istio-root-ca' }) in istio-csr's namespace
   */
  readonly istioCsrRootCaBundle?: RootCaBundle;
  /**
   * Route 3: public PEM of the root (the Terraform output `istio_root_ca_pem`). istiod pins it by content in
   * `meshConfig.caCertificates` to verify every chain the signer returns, so a route 3 mesh needs the root to exist
   * first; Terraform refuses to apply when it differs from the root in Vault.
   * @default - none; required in route 3
   */
  readonly kubernetesCsrRootCaPem?: string;
  /**
   * Route 3 root rotation (with `nextRootMountPath`): public PEM of the next root (`terraform output -raw
   * istio_next_root_ca_pem`). A second issuer `<issuerName>-next` signs under it; `signWithNextRoot` moves the mesh's
   * signer to it.
   * @default - none; required in route 3 with a next root
   */
  readonly kubernetesCsrNextRootCaPem?: string;
  /**
   * Route 2: istio-csr namespace.
   * @default - certManagerNamespace
   */
  readonly istioCsrNamespace?: string;
  /**
   * Route 2: istio-csr release.
   * @default 'v0.17.0'
   */
  readonly istioCsrVersion?: string;
  /**
   * Cluster name (`global.multiCluster.clusterName`, istio-csr `clusterID`).
   * @default - Istio's default
   */
  readonly clusterName?: string;
  /**
   * Passed to `IstioCustomCa.network`.
   * @default - none
   */
  readonly network?: string;
  /**
   * Passed to `IstioCustomCa.meshId`.
   * @default - the trust domain
   */
  readonly meshId?: string;
  /**
   * Passed to `IstioCustomCa.trustDomainAliases`.
   * @default - none
   */
  readonly trustDomainAliases?: string[];
  /**
   * Common name of the intermediate: the `cacerts` Certificate (route 1) or the Vault intermediate (routes 2 and 3).
   * @default - 'istio-intermediate-ca' (route 1), 'Istio workload issuing CA' (routes 2 and 3)
   */
  readonly intermediateCommonName?: string;
  /**
   * The mesh runs ambient mode.
   * @default false
   */
  readonly ambient?: boolean;
  /**
   * Root rotation: mount path of the next root (B), generated next to the current one (routes 2 and 3 add an
   * intermediate mount `<intermediateMountPath>_next` under it, with the same leaf role; route 3 a second issuer).
   * @default - no next root
   */
  readonly nextRootMountPath?: string;
  /**
   * Common name of the next root.
   * @default 'Istio Mesh Root CA (next)'
   */
  readonly nextRootCommonName?: string;
  /**
   * Sign at the next root (rotation phases 2 and 3): `cacerts` (route 1), the leaves at the next intermediate's role
   * (route 2), or the mesh's signer becomes the next issuer's (route 3).
   * @default false
   */
  readonly signWithNextRoot?: boolean;
  /**
   * Passed to `IstioCustomCa.additionalTrustedRootsPem` (rotation: the roots' PEMs from the Terraform outputs).
   * @default - none
   */
  readonly additionalTrustedRootsPem?: string[];
  /**
   * Passed to `IstioCustomCa.multiRoot`.
   * @default false
   */
  readonly multiRoot?: boolean;
  /**
   * Passed to `IstioCustomCa.istiodRestartToken`.
   * @default - none
   */
  readonly istiodRestartToken?: string;
  /**
   * Auth mount path in Vault (Kubernetes or JWT auth).
   * @default 'kubernetes' (TokenReview) or 'kubernetes-jwt' (JWT auth)
   */
  readonly authMountPath?: string;
  /**
   * Vault auth role for cert-manager.
   * @default 'cert-manager-istio'
   */
  readonly authRoleName?: string;
  /**
   * Vault token lifetime at login.
   * @default Duration.minutes(10)
   */
  readonly authTokenTtl?: Duration;
  /**
   * Name of the cert-manager issuer.
   * @default 'vault-istio'
   */
  readonly issuerName?: string;
  /**
   * A namespaced Issuer in istiod's namespace (where `cacerts` and istio-csr's CertificateRequests live), or a
   * ClusterIssuer. A ClusterIssuer lets anyone who may create a Certificate in any namespace obtain an intermediate
   * CA under the mesh root (route 1) or any workload identity (routes 2 and 3), because cert-manager approves every
   * request by default; NOTES.md warns when you opt in.
   * @default IssuerKind.ISSUER
   */
  readonly issuerKind?: IssuerKind;
  /**
   * ServiceAccount whose projected token cert-manager presents to Vault.
   * @default 'vault-issuer'
   */
  readonly issuerServiceAccount?: string;
  /**
   * cert-manager's namespace (controller and cluster resource namespace).
   * @default 'cert-manager'
   */
  readonly certManagerNamespace?: string;
  /**
   * Route 1: lifetime of the `cacerts` intermediate.
   * @default Duration.hours(8760)
   */
  readonly intermediateDuration?: Duration;
  /**
   * Route 1: renewBefore of the `cacerts` intermediate.
   * @default Duration.hours(2160)
   */
  readonly intermediateRenewBefore?: Duration;
  /**
   * Sidecar certificate lifetime (`SECRET_TTL`).
   * @default Duration.hours(24)
   */
  readonly workloadCertTtl?: Duration;
  /**
   * Sidecar renewal ratio.
   * @default 0.5
   */
  readonly gracePeriodRatio?: number;
  /**
   * istiod `MAX_WORKLOAD_CERT_TTL`.
   * @default Duration.hours(2160)
   */
  readonly maxWorkloadCertTtl?: Duration;
  /**
   * Passed to `IstioCustomCa.issuancePolicy`. What it allows is checked against what Vault signs (role
   * `allowed_uri_sans`, allowed domains, `max_ttl`, or the pinned intermediate ttl) at construction.
   * @default IssuancePolicy.certManagerDefaultApprover()
   */
  readonly issuancePolicy?: IssuancePolicy;
  /**
   * Terraform state file of the default local backend, relative to the Terraform folder (`terraform/<id>/`); it
   * must lie outside the output folder, which `cdk8s synth` deletes. Use a remote backend in production: set
   * `useDefaultBackend: false` and add one to `stack`.
   * @default - `<MeshApp.terraformStateDir>/<id>/terraform.tfstate`, the same for every plan phase of this stack
   */
  readonly localStatePath?: string;
  /**
   * Add the local backend. When false, add your own backend to `stack` before synth.
   * @default true
   */
  readonly useDefaultBackend?: boolean;
}
