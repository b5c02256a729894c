/**
 * What each way of plugging a CA into Istio implies, as data: one row per integration, read by the integration
 * variants, the alerts and the rotation plans, so that no consumer branches on the integration type.
 */

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

export interface IntegrationTraits {
  /** istiod signs workload certificates (as CA or RA): `MAX_WORKLOAD_CERT_TTL` applies, citadel_server_* metrics exist. */
  readonly istiodSigns: boolean;
  /** istiod signs with the `cacerts` intermediate: its chain and root gauges exist (§7.1). */
  readonly istiodPluginCa: boolean;
  /** cert-manager renews `cacerts`. */
  readonly intermediateRenewedByCertManager: boolean;
  /** istio-csr serves workload CSRs: its metrics exist, and trust comes from its pinned bundle (§6.3). */
  readonly istioCsr: boolean;
  /**
   * Workloads trust what istiod distributes from `meshConfig.caCertificates`: extra roots and multi-root (PCDS) apply
   * (§6.1). With istio-csr trust comes from its rootCAFile bundle instead.
   */
  readonly trustInMeshConfig: boolean;
  /** A root change reaches istiod as a replaced `ca.crt`, which it refuses at runtime: istiod must restart (§6.2). */
  readonly restartIstiodOnRootChange: boolean;
}

export const INTEGRATION_TRAITS: Readonly<Record<CaIntegrationType, IntegrationTraits>> = {
  [CaIntegrationType.CERT_MANAGER_PLUGIN_CA]: {
    istiodSigns: true, istiodPluginCa: true, intermediateRenewedByCertManager: true, istioCsr: false, trustInMeshConfig: true,
    restartIstiodOnRootChange: true,
  },
  [CaIntegrationType.MANUAL_PLUGIN_CA]: {
    istiodSigns: true, istiodPluginCa: true, intermediateRenewedByCertManager: false, istioCsr: false, trustInMeshConfig: true,
    restartIstiodOnRootChange: false,
  },
  [CaIntegrationType.ISTIO_CSR]: {
    istiodSigns: false, istiodPluginCa: false, intermediateRenewedByCertManager: false, istioCsr: true, trustInMeshConfig: false,
    restartIstiodOnRootChange: false,
  },
  [CaIntegrationType.KUBERNETES_CSR]: {
    istiodSigns: true, istiodPluginCa: false, intermediateRenewedByCertManager: false, istioCsr: false, trustInMeshConfig: true,
    restartIstiodOnRootChange: false,
  },
};
