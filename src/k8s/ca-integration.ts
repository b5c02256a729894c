import { Duration } from 'cdk8s';
import { check } from '../model/errors';
import { certManagerSignerName, parseSignerName, SignerName } from '../model/signers';
import { ICertManagerIssuer } from './cert-manager-issuer';
import { PrivateKeyOptions } from './private-key';
import { RootCaBundle } from './root-ca-bundle';

/** The ways a custom CA can sit behind Istio workload certificates (docs/reference.md §0). */
export enum CaIntegrationType {
  /** cert-manager keeps an intermediate in the `cacerts` Secret; istiod signs with it (path B). */
  CERT_MANAGER_PLUGIN_CA = 'CERT_MANAGER_PLUGIN_CA',
  /** You provide `cacerts` out of band; only Istio is configured (path A). */
  MANUAL_PLUGIN_CA = 'MANUAL_PLUGIN_CA',
  /** cert-manager istio-csr is the CA endpoint; istiod's CA is off (path C). */
  ISTIO_CSR = 'ISTIO_CSR',
  /** istiod is a registration authority for the Kubernetes CSR API (path D). */
  KUBERNETES_CSR = 'KUBERNETES_CSR',
}

/** Options of `CaIntegration.certManagerPluginCa()`. */
export interface CertManagerPluginCaOptions {
  /** The issuer that signs the intermediate; it must be able to issue CA certificates. */
  readonly issuer: ICertManagerIssuer;
  /**
   * Lifetime of the intermediate. Must exceed `maxWorkloadCertTtl`.
   * @default Duration.hours(8760) (1 year)
   */
  readonly duration?: Duration;
  /**
   * How long before expiry cert-manager renews the intermediate. Must be shorter than `duration` and at
   * least `workloadCertTtl`.
   * @default Duration.hours(2160) (90 days)
   */
  readonly renewBefore?: Duration;
  /**
   * Key of the intermediate; rotated on every renewal (`rotationPolicy: Always`).
   * @default - RSA 2048
   */
  readonly privateKey?: PrivateKeyOptions;
  /**
   * Common name of the intermediate.
   * @default 'istio-intermediate-ca'
   */
  readonly commonName?: string;
}

/** Key layouts of a hand-made `cacerts` Secret (docs/reference.md §1.1). */
export enum CacertsLayout {
  /** `ca-cert.pem`, `ca-key.pem`, `root-cert.pem`, `cert-chain.pem` (any Istio version; optional `ca-crl.pem`). */
  ISTIO = 'ISTIO',
  /** kubernetes.io/tls: `tls.crt`, `tls.key`, `ca.crt` (Istio 1.15+). */
  KUBERNETES_TLS = 'KUBERNETES_TLS',
}

/** Options of `CaIntegration.manualPluginCa()`. */
export interface ManualPluginCaOptions {
  /**
   * Key layout of the `cacerts` Secret you create.
   * @default CacertsLayout.ISTIO
   */
  readonly layout?: CacertsLayout;
}

/** Options of `CaIntegration.istioCsr()` (docs/reference.md §2b). */
export interface IstioCsrOptions {
  /** The issuer istio-csr signs workload and istiod certificates with; it must accept SPIFFE URI SANs. */
  readonly issuer: ICertManagerIssuer;
  /** The root bundle istio-csr pins and distributes (`app.tls.rootCAFile`). */
  readonly rootCaBundle: RootCaBundle;
  /**
   * `app.server.maxCertificateDuration`: workload certificates live min(SECRET_TTL, this).
   * @default Duration.hours(1)
   */
  readonly maxCertificateDuration?: Duration;
  /**
   * `app.tls.istiodCertificateDuration` (cert-manager's minimum is 1h).
   * @default Duration.hours(1)
   */
  readonly istiodCertificateDuration?: Duration;
  /**
   * `app.tls.istiodCertificateRenewBefore`.
   * @default Duration.minutes(30)
   */
  readonly istiodCertificateRenewBefore?: Duration;
  /**
   * Namespace istio-csr is installed in.
   * @default 'cert-manager'
   */
  readonly namespace?: string;
  /**
   * istio-csr release you install; v0.13.0+ is required with Istio 1.24+, v0.12.0+ for ambient.
   * @default 'v0.17.0'
   */
  readonly version?: string;
}

/** A Kubernetes CSR signer (`spec.signerName`). Enum-like: use a static factory. */
export class CsrSigner {
  /**
   * cert-manager's CSR controller for an issuer: `clusterissuers.cert-manager.io/<name>` or
   * `issuers.cert-manager.io/<namespace>.<name>`. cert-manager must run with feature gate
   * `ExperimentalCertificateSigningRequestControllers=true` (cmweb content/docs/usage/kube-csr.md).
   */
  public static certManagerIssuer(issuer: ICertManagerIssuer): CsrSigner {
    const full = certManagerSignerName(issuer.kind as 'ClusterIssuer' | 'Issuer', issuer.name, issuer.namespace);
    return new CsrSigner(CsrSigner.parse(full), true);
  }

  /** Any other signer, by its full name `<domain>/<name>`. */
  public static named(fullName: string): CsrSigner {
    return new CsrSigner(CsrSigner.parse(fullName), false);
  }

  private static parse(full: string): SignerName {
    const { name, problem } = parseSignerName('signer', full);
    check('CsrSigner', problem);
    return name!;
  }

  private constructor(
    /** Full, domain and short name. */
    public readonly signerName: SignerName,
    /** Whether cert-manager's CSR controller signs (its feature gate must be on). */
    public readonly isCertManager: boolean,
  ) {}
}

/** A namespace whose workloads use another signer than the mesh default. */
export interface NamespaceSigner {
  /** The namespace. */
  readonly namespace: string;
  /** Its signer; must share the default signer's domain (one `CERT_SIGNER_DOMAIN` per istiod). */
  readonly signer: CsrSigner;
  /**
   * PEM root of this signer.
   * @default - the mesh's `rootCaPem`
   */
  readonly rootCaPem?: string;
}

/** Options of `CaIntegration.kubernetesCsr()` (docs/reference.md §3). */
export interface KubernetesCsrOptions {
  /** The mesh default signer. */
  readonly signer: CsrSigner;
  /** PEM root CA of the signer (public); istiod verifies returned chains against it. Must be a CA certificate. */
  readonly rootCaPem: string;
  /**
   * Namespaces with their own signer (a ProxyConfig per namespace sets `ISTIO_META_CERT_SIGNER`).
   * @default - none
   */
  readonly namespaceSigners?: NamespaceSigner[];
}

/** How `IstioCustomCa` plugs the CA into Istio. Enum-like: use a static factory. */
export class CaIntegration {
  /**
   * Plug-in CA through cert-manager: a Certificate (isCA) writes the `cacerts` Secret in istiod's namespace,
   * which istiod reads in the kubernetes.io/tls layout (Istio 1.15+) and reloads on renewal
   * (docs/reference.md §1, §2a).
   */
  public static certManagerPluginCa(options: CertManagerPluginCaOptions): CaIntegration {
    return new CaIntegration(CaIntegrationType.CERT_MANAGER_PLUGIN_CA, options, undefined, undefined, undefined);
  }

  /** Plug-in CA whose `cacerts` Secret you create out of band; only Istio is configured (§1). */
  public static manualPluginCa(options: ManualPluginCaOptions = {}): CaIntegration {
    return new CaIntegration(CaIntegrationType.MANUAL_PLUGIN_CA, undefined, { layout: options.layout ?? CacertsLayout.ISTIO }, undefined, undefined);
  }

  /**
   * cert-manager istio-csr as the mesh CA: `global.caAddress` points sidecars at istio-csr, istiod's CA server is
   * off (`ENABLE_CA_SERVER=false`), and a values file for the istio-csr chart is written (§2b).
   */
  public static istioCsr(options: IstioCsrOptions): CaIntegration {
    return new CaIntegration(CaIntegrationType.ISTIO_CSR, undefined, undefined, options, undefined);
  }

  /** istiod as registration authority for the Kubernetes CSR API (`EXTERNAL_CA=ISTIOD_RA_KUBERNETES_API`, §3). */
  public static kubernetesCsr(options: KubernetesCsrOptions): CaIntegration {
    return new CaIntegration(CaIntegrationType.KUBERNETES_CSR, undefined, undefined, undefined, options);
  }

  private constructor(
    /** Which integration. */
    public readonly type: CaIntegrationType,
    /** Set for `certManagerPluginCa()`. */
    public readonly pluginCaOptions: CertManagerPluginCaOptions | undefined,
    /** Set for `manualPluginCa()`. */
    public readonly manualPluginCaOptions: ManualPluginCaOptions | undefined,
    /** Set for `istioCsr()`. */
    public readonly istioCsrOptions: IstioCsrOptions | undefined,
    /** Set for `kubernetesCsr()`. */
    public readonly kubernetesCsrOptions: KubernetesCsrOptions | undefined,
  ) {}
}
