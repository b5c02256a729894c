import { Duration } from 'cdk8s';
import { check, tokenProblem } from '../model/errors';
import { objectNameProblem } from '../model/k8s-names';
import { LIFETIME_RULES } from '../model/lifetime-rules';
import { vaultAddressProblem } from '../model/vault-policy';
import { PrivateKeyOptions } from './private-key';
import { VaultAuth } from './vault-auth';
import { lifetimeMs } from '../model/durations';
import { commonNameProblem } from '../model/identity';

/** What backs a cert-manager issuer. */
export enum IssuerSourceType {
  /** cert-manager CA issuer: the CA key pair is in a Secret. */
  CA = 'CA',
  /** Bootstrap: a self-signed root Certificate and a CA issuer on top of it. */
  SELF_SIGNED_ROOT = 'SELF_SIGNED_ROOT',
  /** cert-manager Vault issuer: HashiCorp Vault PKI signs. */
  VAULT = 'VAULT',
}

/** What a Vault issuer path signs (docs/reference.md §4.3). */
export enum VaultSignPathKind {
  /** `<mount>/sign/<role>`: leaf certificates only (CA:FALSE). */
  LEAF = 'LEAF',
  /** `<mount>/root/sign-intermediate` or `<mount>/issuer/<ref>/sign-intermediate`: CA certificates. */
  INTERMEDIATE = 'INTERMEDIATE',
}

/** Options of `IssuerSource.ca()`. */
export interface CaIssuerSourceOptions {
  /**
   * Secret with the CA's `tls.crt` and `tls.key`, in the issuer's namespace (for a ClusterIssuer, the
   * cluster resource namespace). Put the full chain including the root in `tls.crt`, so that the `ca.crt`
   * cert-manager writes is the real root (docs/reference.md §2a).
   */
  readonly secretName: string;
}

/** Options of `IssuerSource.selfSignedRoot()`. */
export interface SelfSignedRootOptions {
  /** Common name of the root certificate. */
  readonly commonName: string;
  /**
   * Lifetime of the root certificate.
   * @default Duration.hours(87600) (10 years)
   */
  readonly duration?: Duration;
  /**
   * Key of the root.
   * @default - RSA 2048
   */
  readonly privateKey?: PrivateKeyOptions;
}

/** Reference to a key of a Secret. */
export interface SecretKeyRef {
  /** Secret name. */
  readonly name: string;
  /**
   * Key in the Secret.
   * @default 'ca.crt'
   */
  readonly key?: string;
}

/** Options of `IssuerSource.vault()` (docs/reference.md §4.4). */
export interface VaultIssuerSourceOptions {
  /** Vault address, `https://…`. */
  readonly server: string;
  /**
   * Vault sign path without `/v1/`: `<mount>/sign/<role>` for leaves (istio-csr) or
   * `<mount>/root/sign-intermediate` for the Istio intermediate (`cacerts`).
   */
  readonly path: string;
  /** How cert-manager logs in to Vault. */
  readonly auth: VaultAuth;
  /**
   * Secret key holding the PEM CA bundle that verifies Vault's TLS certificate.
   * @default - the system trust store of cert-manager
   */
  readonly caBundleSecretRef?: SecretKeyRef;
  /**
   * Vault Enterprise namespace.
   * @default - none
   */
  readonly vaultNamespace?: string;
}

const LEAF_PATH = /^[A-Za-z0-9_\-]+(\/[A-Za-z0-9_\-]+)*\/sign\/[A-Za-z0-9_\-.]+$/;
const INTERMEDIATE_PATH = /^[A-Za-z0-9_\-]+(\/[A-Za-z0-9_\-]+)*\/(root|issuer\/[A-Za-z0-9_\-.]+)\/sign-intermediate$/;

/** The kind of a Vault sign path, or undefined when it is neither form. */
export function vaultSignPathKind(path: string): VaultSignPathKind | undefined {
  if (INTERMEDIATE_PATH.test(path)) return VaultSignPathKind.INTERMEDIATE;
  if (LEAF_PATH.test(path)) return VaultSignPathKind.LEAF;
  return undefined;
}

/** What backs a `CertManagerIssuer`. Enum-like: use a static factory. */
export class IssuerSource {
  /** A cert-manager CA issuer over an existing CA Secret. */
  public static ca(options: CaIssuerSourceOptions): IssuerSource {
    check('IssuerSource', objectNameProblem('secretName', options.secretName));
    return new IssuerSource(IssuerSourceType.CA, options, undefined, undefined);
  }

  /**
   * Bootstrap for labs and first installs: a SelfSigned issuer, a root Certificate (isCA) and a CA issuer on
   * top. The root key lives in a cluster Secret; use an external PKI in production.
   */
  public static selfSignedRoot(options: SelfSignedRootOptions): IssuerSource {
    check('IssuerSource', commonNameProblem('commonName', options.commonName));
    const duration = options.duration ?? Duration.hours(87600);
    lifetimeMs('IssuerSource', 'duration', duration, LIFETIME_RULES.certManagerDuration);
    return new IssuerSource(IssuerSourceType.SELF_SIGNED_ROOT, undefined, { ...options, duration }, undefined);
  }

  /** A cert-manager Vault issuer with Kubernetes auth. */
  public static vault(options: VaultIssuerSourceOptions): IssuerSource {
    check('IssuerSource', tokenProblem('server', options.server));
    check('IssuerSource', tokenProblem('path', options.path));
    check('IssuerSource', vaultAddressProblem('server', options.server));
    if (vaultSignPathKind(options.path) === undefined) {
      check('IssuerSource', `'path' (${options.path}) must be a Vault sign path without '/v1/': ` +
        "'<mount>/sign/<role>' for leaves or '<mount>/root/sign-intermediate' for an intermediate CA");
    }
    if (options.caBundleSecretRef) check('IssuerSource', objectNameProblem('caBundleSecretRef.name', options.caBundleSecretRef.name));
    return new IssuerSource(IssuerSourceType.VAULT, undefined, undefined, options);
  }

  private constructor(
    /** Which factory made this source. */
    public readonly type: IssuerSourceType,
    /** Set for `ca()`. */
    public readonly caOptions: CaIssuerSourceOptions | undefined,
    /** Set for `selfSignedRoot()`, with `duration` filled in. */
    public readonly selfSignedRootOptions: SelfSignedRootOptions | undefined,
    /** Set for `vault()`. */
    public readonly vaultOptions: VaultIssuerSourceOptions | undefined,
  ) {}
}
