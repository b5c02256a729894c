import { AuthBackend } from '@cdktf/provider-vault/lib/auth-backend';
import { JwtAuthBackend } from '@cdktf/provider-vault/lib/jwt-auth-backend';
import { JwtAuthBackendRole } from '@cdktf/provider-vault/lib/jwt-auth-backend-role';
import { KubernetesAuthBackendConfig } from '@cdktf/provider-vault/lib/kubernetes-auth-backend-config';
import { KubernetesAuthBackendRole } from '@cdktf/provider-vault/lib/kubernetes-auth-backend-role';
import { TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { pemOnlyProblem } from '../model/pem';

/** Default auth mount paths: Vault's own default for Kubernetes auth, and a distinct one for the JWT mount. */
export const DEFAULT_AUTH_PATHS = { tokenReview: 'kubernetes', jwt: 'kubernetes-jwt' } as const;

/** What a token-validation variant binds: one role for one ServiceAccount, with an audience and a policy. */
export interface VaultAuthRoleBinding {
  /** Path of the auth mount in Vault. */
  readonly path: string;
  readonly roleName: string;
  readonly serviceAccountName: string;
  readonly serviceAccountNamespace: string;
  /** Audience cert-manager requests the projected token for (`vault://…`). */
  readonly audience: string;
  readonly tokenTtlSeconds: number;
  readonly policyName: string;
  /** Pins a resource's Terraform address as `<prefix>_<suffix>`. */
  readonly pin: <T extends TerraformResource>(r: T, suffix: string) => T;
}

/** Options of `VaultTokenValidation.tokenReview()`. */
export interface TokenReviewValidationOptions {
  /** Kubernetes API server URL that Vault calls for TokenReview (https). */
  readonly kubernetesHost: string;
  /**
   * PEM CA certificate of the Kubernetes API server (public; no reviewer JWT is ever configured).
   * @default - Vault's own trust store, or its in-cluster CA when Vault runs in the cluster
   */
  readonly kubernetesCaCertPem?: string;
}

/** Options of `VaultTokenValidation.serviceAccountIssuerKeys()`. */
export interface IssuerKeysValidationOptions {
  /**
   * The cluster's service-account token issuer (`iss` claim; `kubectl get --raw /.well-known/openid-configuration`
   * shows it), checked by Vault as `bound_issuer`.
   */
  readonly issuer: string;
  /**
   * The cluster's service-account signing public keys, PEM `PUBLIC KEY` blocks (from its JWKS,
   * `kubectl get --raw /openid/v1/jwks`). Add the new key before the cluster rotates its signing key.
   */
  readonly publicKeysPem: string[];
}

/** Options of `VaultTokenValidation.oidcDiscovery()`. */
export interface OidcDiscoveryValidationOptions {
  /** The cluster's service-account issuer URL, reachable from Vault (`<url>/.well-known/openid-configuration`). */
  readonly discoveryUrl: string;
  /**
   * PEM CA certificate that serves the discovery URL (public).
   * @default - Vault's own trust store
   */
  readonly discoveryCaPem?: string;
}

/** Which Vault auth method validates cert-manager's ServiceAccount token. */
export enum VaultTokenValidationMethod {
  /** Vault's Kubernetes auth method: a TokenReview call to the API server. */
  TOKEN_REVIEW = 'TOKEN_REVIEW',
  /** Vault's JWT auth method: offline signature check against the cluster's service-account issuer keys. */
  ISSUER_KEYS = 'ISSUER_KEYS',
  /** Vault's JWT auth method with keys fetched from the issuer's OIDC discovery document. */
  OIDC_DISCOVERY = 'OIDC_DISCOVERY',
}

/**
 * How Vault checks the projected ServiceAccount token cert-manager logs in with. Enum-like: use a static factory.
 *
 * - `tokenReview()` (Vault's Kubernetes auth): for Vault running in the cluster. With no reviewer JWT, Vault calls
 *   TokenReview with the login token itself as bearer (vault-plugin-auth-kubernetes token_review.go); the API server
 *   accepts that bearer only if the token carries one of its own `--api-audiences`, and cert-manager requests
 *   `vault://…` audiences (cert-manager internal/vault/vault.go), so a Vault outside the cluster is refused.
 * - `serviceAccountIssuerKeys()` / `oidcDiscovery()` (Vault's JWT auth): for Vault outside the cluster. Vault checks
 *   the signature, `iss`, `aud` and `sub` itself, with no call to the cluster and no long-lived secret
 *   (https://developer.hashicorp.com/vault/docs/auth/jwt/oidc-providers/kubernetes). cert-manager's
 *   `auth.kubernetes` login (`{role, jwt}` to `<mountPath>/login`) is the JWT method's login too.
 */
export abstract class VaultTokenValidation {
  /** Vault in the cluster: Kubernetes auth (TokenReview). */
  public static tokenReview(options: TokenReviewValidationOptions): VaultTokenValidation {
    return new TokenReviewValidation(options);
  }

  /** Vault outside the cluster: JWT auth with the cluster's service-account signing keys, pasted as PEM. */
  public static serviceAccountIssuerKeys(options: IssuerKeysValidationOptions): VaultTokenValidation {
    return new IssuerKeysValidation(options);
  }

  /** Vault outside the cluster that can reach the cluster's issuer URL: JWT auth with OIDC discovery. */
  public static oidcDiscovery(options: OidcDiscoveryValidationOptions): VaultTokenValidation {
    return new OidcDiscoveryValidation(options);
  }

  /** Which auth method this is. */
  public abstract readonly method: VaultTokenValidationMethod;
  /** Auth mount path used when none is given. */
  public abstract readonly defaultPath: string;

  /** Problems with the options, each naming `prop` (e.g. `kubernetesAuth.tokenValidation`). @internal */
  public abstract _problems(prop: string): string[];

  /** Defines the auth mount, its configuration and the one role in Terraform. @internal */
  public abstract _bind(scope: Construct, b: VaultAuthRoleBinding): void;
}

const HTTPS = /^https:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/;
/** An https:// URL Vault calls and the optional PEM CA it verifies it with: the checks both such variants share. */
function urlAndCaProblems(prop: string, url: [field: string, value: string, what: string], ca: [field: string, value: string | undefined, what: string]): string[] {
  const out: string[] = [];
  if (!HTTPS.test(url[1])) out.push(`'${prop}.${url[0]}' (${url[1]}) must be ${url[2]}, without credentials, query or fragment`);
  const caProblem = ca[1] === undefined ? undefined : pemOnlyProblem(`${prop}.${ca[0]}`, ca[1], 'CERTIFICATE', ca[2]);
  if (caProblem) out.push(caProblem);
  return out;
}

class TokenReviewValidation extends VaultTokenValidation {
  public readonly method = VaultTokenValidationMethod.TOKEN_REVIEW;
  public readonly defaultPath = DEFAULT_AUTH_PATHS.tokenReview;
  public constructor(private readonly o: TokenReviewValidationOptions) { super(); }

  public _problems(prop: string): string[] {
    return urlAndCaProblems(prop, ['kubernetesHost', this.o.kubernetesHost, 'the https:// URL of the Kubernetes API server'],
      ['kubernetesCaCertPem', this.o.kubernetesCaCertPem, "the API server's CA certificate"]);
  }

  public _bind(scope: Construct, b: VaultAuthRoleBinding): void {
    const backend = b.pin(new AuthBackend(scope, 'KubernetesAuth', {
      type: 'kubernetes',
      path: b.path,
      description: 'Kubernetes auth for cert-manager (managed by istio-custom-ca)',
    }), 'kubernetes_auth');
    b.pin(new KubernetesAuthBackendConfig(scope, 'KubernetesAuthConfig', {
      backend: backend.path,
      kubernetesHost: this.o.kubernetesHost,
      kubernetesCaCert: this.o.kubernetesCaCertPem,
    }), 'kubernetes_auth_config');
    b.pin(new KubernetesAuthBackendRole(scope, 'CertManagerRole', {
      backend: backend.path,
      roleName: b.roleName,
      boundServiceAccountNames: [b.serviceAccountName],
      boundServiceAccountNamespaces: [b.serviceAccountNamespace],
      audience: b.audience,
      tokenTtl: b.tokenTtlSeconds,
      tokenMaxTtl: b.tokenTtlSeconds,
      tokenPolicies: [b.policyName],
    }), 'cert_manager_role');
  }
}

/** JWT auth role shared by both JWT variants: exactly one subject, the issuer's audience, `sub` as user claim. */
function jwtRole(scope: Construct, backendPath: string, b: VaultAuthRoleBinding): void {
  b.pin(new JwtAuthBackendRole(scope, 'CertManagerJwtRole', {
    backend: backendPath,
    roleName: b.roleName,
    roleType: 'jwt',
    boundAudiences: [b.audience],
    // The projected token's subject (https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/).
    boundSubject: `system:serviceaccount:${b.serviceAccountNamespace}:${b.serviceAccountName}`,
    userClaim: 'sub',
    tokenTtl: b.tokenTtlSeconds,
    tokenMaxTtl: b.tokenTtlSeconds,
    tokenPolicies: [b.policyName],
  }), 'cert_manager_jwt_role');
}

class IssuerKeysValidation extends VaultTokenValidation {
  public readonly method = VaultTokenValidationMethod.ISSUER_KEYS;
  public readonly defaultPath = DEFAULT_AUTH_PATHS.jwt;
  public constructor(private readonly o: IssuerKeysValidationOptions) { super(); }

  public _problems(prop: string): string[] {
    const out: string[] = [];
    if (typeof this.o.issuer !== 'string' || this.o.issuer.trim() === '' || /\s/.test(this.o.issuer)) {
      out.push(`'${prop}.issuer' (${this.o.issuer}) must be the cluster's service-account issuer (the tokens' iss claim), without spaces`);
    }
    if (!Array.isArray(this.o.publicKeysPem) || this.o.publicKeysPem.length === 0) {
      out.push(`'${prop}.publicKeysPem' must list at least one PEM public key of the cluster's service-account issuer`);
    } else {
      this.o.publicKeysPem.forEach((k, i) => {
        const p = pemOnlyProblem(`${prop}.publicKeysPem[${i}]`, k, 'PUBLIC KEY', "the cluster's service-account signing key");
        if (p) out.push(p);
      });
    }
    return out;
  }

  public _bind(scope: Construct, b: VaultAuthRoleBinding): void {
    const backend = b.pin(new JwtAuthBackend(scope, 'JwtAuth', {
      type: 'jwt',
      path: b.path,
      description: 'JWT auth for cert-manager: Kubernetes service-account tokens checked offline (managed by istio-custom-ca)',
      boundIssuer: this.o.issuer,
      jwtValidationPubkeys: this.o.publicKeysPem.map((k) => `${k.trim()}\n`),
    }), 'cert_manager_jwt_auth');
    jwtRole(scope, backend.path, b);
  }
}

class OidcDiscoveryValidation extends VaultTokenValidation {
  public readonly method = VaultTokenValidationMethod.OIDC_DISCOVERY;
  public readonly defaultPath = DEFAULT_AUTH_PATHS.jwt;
  public constructor(private readonly o: OidcDiscoveryValidationOptions) { super(); }

  public _problems(prop: string): string[] {
    return urlAndCaProblems(prop, ['discoveryUrl', this.o.discoveryUrl, 'the https:// service-account issuer URL of the cluster'],
      ['discoveryCaPem', this.o.discoveryCaPem, 'the CA that serves the discovery URL']);
  }

  public _bind(scope: Construct, b: VaultAuthRoleBinding): void {
    const backend = b.pin(new JwtAuthBackend(scope, 'JwtAuth', {
      type: 'jwt',
      path: b.path,
      description: 'JWT auth for cert-manager: Kubernetes service-account tokens checked by OIDC discovery (managed by istio-custom-ca)',
      oidcDiscoveryUrl: this.o.discoveryUrl,
      oidcDiscoveryCaPem: this.o.discoveryCaPem,
      boundIssuer: this.o.discoveryUrl,
    }), 'cert_manager_jwt_auth');
    jwtRole(scope, backend.path, b);
  }
}
