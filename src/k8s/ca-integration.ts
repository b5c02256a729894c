import { CaIntegrationType } from '../model/integration-traits';
import { CertManagerPluginCa, CertManagerPluginCaOptions } from './integrations/cert-manager-plugin-ca';
import { IntegrationVariant } from './integrations/integration-variant';
import { IstioCsr, IstioCsrOptions } from './integrations/istio-csr';
import { KubernetesCsr, KubernetesCsrOptions } from './integrations/kubernetes-csr';
import { ManualPluginCa, ManualPluginCaOptions } from './integrations/manual-plugin-ca';

export { CaIntegrationType } from '../model/integration-traits';
export { CertManagerPluginCaOptions } from './integrations/cert-manager-plugin-ca';
export { IstioCsrOptions } from './integrations/istio-csr';
export { CsrSigner, KubernetesCsrOptions, NamespaceSigner } from './integrations/kubernetes-csr';
export { CacertsLayout, ManualPluginCaOptions } from './integrations/manual-plugin-ca';

/**
 * How `IstioCustomCa` plugs the CA into Istio. Enum-like: use a static factory. Each factory's variant validates its
 * own options against the mesh and renders its own part (objects, istiod env, proxy metadata, values, notes).
 */
export class CaIntegration {
  /**
   * Plug-in CA through cert-manager: a Certificate (isCA) writes the `cacerts` Secret in istiod's namespace,
   * which istiod reads in the kubernetes.io/tls layout (Istio 1.15+) and reloads on renewal
   * (docs/reference.md §1, §2a).
   */
  public static certManagerPluginCa(options: CertManagerPluginCaOptions): CaIntegration {
    return new CaIntegration(new CertManagerPluginCa(options));
  }

  /** Plug-in CA whose `cacerts` Secret you create out of band; only Istio is configured (§1). */
  public static manualPluginCa(options: ManualPluginCaOptions = {}): CaIntegration {
    return new CaIntegration(new ManualPluginCa(options));
  }

  /**
   * cert-manager istio-csr as the mesh CA: `global.caAddress` points sidecars at istio-csr, istiod's CA server is
   * off (`ENABLE_CA_SERVER=false`), and a values file for the istio-csr chart is written (§2b).
   */
  public static istioCsr(options: IstioCsrOptions): CaIntegration {
    return new CaIntegration(new IstioCsr(options));
  }

  /** istiod as registration authority for the Kubernetes CSR API (`EXTERNAL_CA=ISTIOD_RA_KUBERNETES_API`, §3). */
  public static kubernetesCsr(options: KubernetesCsrOptions): CaIntegration {
    return new CaIntegration(new KubernetesCsr(options));
  }

  private constructor(private readonly variant: IntegrationVariant) {}

  /** Which integration. */
  public get type(): CaIntegrationType {
    return this.variant.type;
  }

  /** @internal */
  public _variant(): IntegrationVariant {
    return this.variant;
  }
}
