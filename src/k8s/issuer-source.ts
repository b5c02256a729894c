import { Duration } from 'cdk8s';
import { VaultSignPathKind, vaultSignPathKind as signPathKind } from '../model/vault-sign-path';
import { VaultAuth } from './vault-auth';
import { CaIssuerSourceOptions, CaSource } from './issuer-sources/ca-source';
import { IssuerSourceVariant, VaultSignPath } from './issuer-sources/issuer-source-variant';
import { SelfSignedRootOptions, SelfSignedRootSource } from './issuer-sources/self-signed-root-source';
import { VaultIssuerSourceOptions, VaultSource } from './issuer-sources/vault-source';

export { VaultSignPathKind } from '../model/vault-sign-path';
export { CaIssuerSourceOptions } from './issuer-sources/ca-source';
export { SelfSignedRootOptions } from './issuer-sources/self-signed-root-source';
export { SecretKeyRef, VaultIssuerSourceOptions } from './issuer-sources/vault-source';
export { VaultSignPath } from './issuer-sources/issuer-source-variant';

/** What backs a cert-manager issuer. */
export enum IssuerSourceType {
  /** cert-manager CA issuer: the CA key pair is in a Secret. */
  CA = 'CA',
  /** Bootstrap: a self-signed root Certificate and a CA issuer on top of it. */
  SELF_SIGNED_ROOT = 'SELF_SIGNED_ROOT',
  /** cert-manager Vault issuer: HashiCorp Vault PKI signs. */
  VAULT = 'VAULT',
}

/**
 * What backs a `CertManagerIssuer`. Enum-like: use a static factory. Each factory's variant validates its options
 * and renders its own part of the issuer (spec, and the root Certificate or Vault token RBAC it needs).
 */
export class IssuerSource {
  /** The kind of a Vault sign path (`<mount>/sign/<role>` or `…/sign-intermediate`), or undefined when it is neither form. */
  public static vaultSignPathKind(path: string): VaultSignPathKind | undefined {
    return signPathKind(path);
  }

  /** A cert-manager CA issuer over an existing CA Secret. */
  public static ca(options: CaIssuerSourceOptions): IssuerSource {
    return new IssuerSource(IssuerSourceType.CA, new CaSource(options));
  }

  /**
   * Bootstrap for labs and first installs: a SelfSigned issuer, a root Certificate (isCA) and a CA issuer on
   * top. The root key lives in a cluster Secret; use an external PKI in production.
   */
  public static selfSignedRoot(options: SelfSignedRootOptions): IssuerSource {
    return new IssuerSource(IssuerSourceType.SELF_SIGNED_ROOT, new SelfSignedRootSource(options));
  }

  /** A cert-manager Vault issuer with Kubernetes auth. */
  public static vault(options: VaultIssuerSourceOptions): IssuerSource {
    return new IssuerSource(IssuerSourceType.VAULT, new VaultSource(options));
  }

  private constructor(
    /** Which factory made this source. */
    public readonly type: IssuerSourceType,
    private readonly variant: IssuerSourceVariant,
  ) {}

  /** Lifetime of the self-signed root, for `selfSignedRoot()`. */
  public get rootDuration(): Duration | undefined {
    return this.variant.rootDuration;
  }

  /** Where Vault signs, for `vault()`. */
  public get vaultSignPath(): VaultSignPath | undefined {
    return this.variant.vaultSignPath;
  }

  /** How cert-manager logs in to Vault, for `vault()`. */
  public get vaultAuth(): VaultAuth | undefined {
    return this.variant.vaultAuth;
  }

  /** @internal */
  public _variant(): IssuerSourceVariant {
    return this.variant;
  }
}
