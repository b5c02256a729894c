import { check, tokenProblem } from '../model/errors';
import { VAULT_AUTH_PREFIX, vaultAuthMountPath } from '../model/cert-manager';
import { objectNameProblem } from '../model/k8s-names';

/** The auth mount prefix cert-manager expects: `/v1/auth/<mount>` (docs/reference.md §4.4). */
const MOUNT_PATH = /^\/v1\/auth\/[A-Za-z0-9][A-Za-z0-9_\-/]*[A-Za-z0-9]$|^\/v1\/auth\/[A-Za-z0-9]$/;

/** Options of Vault Kubernetes auth with a projected ServiceAccount token. */
export interface VaultKubernetesAuthOptions {
  /** The Vault Kubernetes auth role that cert-manager logs in with. */
  readonly role: string;
  /**
   * Path of the Kubernetes auth mount, with cert-manager's `/v1/auth/` prefix.
   * @default '/v1/auth/kubernetes'
   */
  readonly mountPath?: string;
  /**
   * ServiceAccount whose projected token cert-manager requests (cert-manager ≥ 1.12). The library defines it,
   * with a Role that lets cert-manager's controller create tokens for exactly this ServiceAccount.
   */
  readonly serviceAccountName: string;
  /**
   * Extra audiences of the projected token (`serviceAccountRef.audiences`, cert-manager 1.15+); cert-manager always adds
   * the issuer's own `vault://…` audience. Lets a second issuer log in with the first one's Vault role.
   * @default - none
   */
  readonly audiences?: string[];
  /**
   * Refused when true. Binding the ServiceAccount to `system:auth-delegator` so that Vault could review the client's
   * own token cannot work with cert-manager: the token carries only `vault://…` audiences, which the API server does
   * not accept as a bearer for its TokenReview (docs/reference.md §12.7). For Vault outside the cluster use JWT auth
   * (`VaultTokenValidation.serviceAccountIssuerKeys()` / `oidcDiscovery()` on the Vault side).
   * @default false
   */
  readonly grantTokenReview?: boolean;
}

/** How cert-manager authenticates to Vault. Enum-like: use a static factory. */
export class VaultAuth {
  /**
   * Kubernetes auth with a short-lived projected token (`auth.kubernetes.serviceAccountRef`); no long-lived
   * token Secret is involved (cmweb content/docs/configuration/vault.md).
   */
  public static kubernetes(options: VaultKubernetesAuthOptions): VaultAuth {
    const mountPath = options.mountPath ?? vaultAuthMountPath('kubernetes');
    check('VaultAuth', tokenProblem('role', options.role));
    check('VaultAuth', tokenProblem('mountPath', mountPath));
    if (!MOUNT_PATH.test(mountPath)) {
      check('VaultAuth', `'mountPath' (${mountPath}) must be '/v1/auth/<mount>', cert-manager's form of the ` +
        "Kubernetes auth mount path; e.g. '/v1/auth/kubernetes'");
    }
    if (options.role.length === 0) check('VaultAuth', "'role' () must name the Vault Kubernetes auth role");
    check('VaultAuth', objectNameProblem('serviceAccountName', options.serviceAccountName));
    if (options.grantTokenReview) {
      check('VaultAuth', "'grantTokenReview' (true) cannot work: cert-manager requests the token for vault:// audiences only " +
        '(cert-manager internal/vault/vault.go), so the API server refuses it as the bearer of a TokenReview and the binding ' +
        'would only add privilege; run Vault outside the cluster with JWT auth (VaultTokenValidation.serviceAccountIssuerKeys() ' +
        'or oidcDiscovery()), or let an in-cluster Vault review with its own pod token');
    }
    for (const a of options.audiences ?? []) {
      check('VaultAuth', tokenProblem('audiences', a));
      if (a.trim() === '') check('VaultAuth', "'audiences' holds an empty audience; remove it");
    }
    return new VaultAuth(options.role, mountPath, options.serviceAccountName, options.grantTokenReview ?? false, [...(options.audiences ?? [])]);
  }

  private constructor(
    /** Vault auth role. */
    public readonly role: string,
    /** `/v1/auth/<mount>`. */
    public readonly mountPath: string,
    /** ServiceAccount for the projected token. */
    public readonly serviceAccountName: string,
    /** Whether the ServiceAccount is bound to system:auth-delegator. */
    public readonly grantTokenReview: boolean,
    /** Extra audiences of the projected token. */
    public readonly audiences: string[],
  ) {}

  /** The auth backend path inside Vault (`kubernetes` for `/v1/auth/kubernetes`). */
  public get authBackendPath(): string {
    return this.mountPath.slice(VAULT_AUTH_PREFIX.length);
  }
}
