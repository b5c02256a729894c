/**
 * cert-manager facts the constructs share, each defined once (cmweb content/docs/installation/helm.md for the release
 * defaults; content/docs/configuration/vault.md for the Vault forms).
 */

/** API group of Issuer, ClusterIssuer and Certificate. */
export const CERT_MANAGER_GROUP = 'cert-manager.io';
/** trust-manager's API group (Bundle). */
export const TRUST_MANAGER_GROUP = 'trust.cert-manager.io';

/** cert-manager's controller flag that turns off its default approver (cert-manager docs: concepts/certificaterequest approval). */
export const DISABLE_DEFAULT_APPROVER_FLAG = '--controllers=*,-certificaterequests-approver';

/** The cert-manager Helm release's namespace and controller ServiceAccount, and its default cluster resource namespace. */
export const CERT_MANAGER_DEFAULTS = {
  namespace: 'cert-manager',
  serviceAccount: 'cert-manager',
  clusterResourceNamespace: 'cert-manager',
  /** A Certificate without `duration` lives 90 days (cert-manager pkg/apis/certmanager/v1 DefaultCertificateDuration). */
  certificateDuration: '2160h',
} as const;

/** The prefix of a Vault issuer's `auth.kubernetes.mountPath`: cert-manager calls `<server><mountPath>/login`. */
export const VAULT_AUTH_PREFIX = '/v1/auth/';

/** `/v1/auth/<path>` for a Vault auth mount at `<path>`. */
export function vaultAuthMountPath(path: string): string {
  return `${VAULT_AUTH_PREFIX}${path}`;
}

/**
 * The audience cert-manager always puts into the projected token it requests for Vault: `vault://<namespace>/<issuer>`
 * for an Issuer, `vault://<clusterissuer>` for a ClusterIssuer (cert-manager internal/vault/vault.go).
 */
export function vaultAudience(issuerName: string, issuerNamespace?: string): string {
  return issuerNamespace ? `vault://${issuerNamespace}/${issuerName}` : `vault://${issuerName}`;
}

/** cert-manager issuer kinds. */
export enum IssuerKind {
  /** Cluster-scoped; Secrets it reads live in cert-manager's cluster resource namespace. */
  CLUSTER_ISSUER = 'ClusterIssuer',
  /** Namespaced; can only sign Certificates in its own namespace. */
  ISSUER = 'Issuer',
}
