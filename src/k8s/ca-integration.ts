import { Duration } from 'cdk8s';
import { CertManagerIssuer } from './cert-manager-issuer';
import { PrivateKeyOptions } from './private-key';

/** The ways a custom CA can sit behind Istio workload certificates (istio-ca-facts.md §0). */
export enum CaIntegrationType {
  /** cert-manager keeps an intermediate in the `cacerts` Secret; istiod signs with it (path B). */
  CERT_MANAGER_PLUGIN_CA = 'CERT_MANAGER_PLUGIN_CA',
}

/** Options of `CaIntegration.certManagerPluginCa()`. */
export interface CertManagerPluginCaOptions {
  /** The issuer that signs the intermediate; it must be able to issue CA certificates. */
  readonly issuer: CertManagerIssuer;
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

/** How `IstioCustomCa` plugs the CA into Istio. Enum-like: use a static factory. */
export class CaIntegration {
  /**
   * Plug-in CA through cert-manager: a Certificate (isCA) writes the `cacerts` Secret in istiod's namespace,
   * which istiod reads in the kubernetes.io/tls layout (Istio 1.15+) and reloads on renewal
   * (istio-ca-facts.md §1, §2a).
   */
  public static certManagerPluginCa(options: CertManagerPluginCaOptions): CaIntegration {
    return new CaIntegration(CaIntegrationType.CERT_MANAGER_PLUGIN_CA, options);
  }

  private constructor(
    /** Which integration. */
    public readonly type: CaIntegrationType,
    /** Set for `certManagerPluginCa()`. */
    public readonly pluginCaOptions: CertManagerPluginCaOptions | undefined,
  ) {}
}
