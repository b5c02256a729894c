/**
 * Metric names the alerts use, each written once with its source (docs/reference.md §7). Istio counters have no
 * `_total` suffix (1.19+ OTel exporter, istio pkg/monitoring/monitoring.go).
 */
import { holds } from './istio-version';

export const METRICS = {
  /** istiod CA: remaining life of the first cert of the signing chain (plug-in intermediate), s; 1.23+ (§7.1). */
  CA_CHAIN_EXPIRY_SECONDS: 'citadel_server_cert_chain_expiry_seconds',
  /** istiod CA: same as a unix timestamp; all versions (§7.1). */
  CA_CHAIN_EXPIRY_TIMESTAMP: 'citadel_server_cert_chain_expiry_timestamp',
  /** istiod CA: remaining life of the first root in the bundle, s; 1.23+ (§7.1). */
  CA_ROOT_EXPIRY_SECONDS: 'citadel_server_root_cert_expiry_seconds',
  /** istiod CA: same as a unix timestamp (§7.1). */
  CA_ROOT_EXPIRY_TIMESTAMP: 'citadel_server_root_cert_expiry_timestamp',
  /** istiod CA/RA: signing errors by `error` (CA_NOT_READY, CSR_ERROR, TTL_ERROR, CERT_GEN_ERROR, UNKNOWN) (§7.1). */
  CA_SIGN_ERRORS: 'citadel_server_csr_sign_err_count',
  /** istio-agent: remaining life of the workload certificate, s; 1.14+ (security/pkg/nodeagent/cache/monitoring.go, §7.2). */
  AGENT_CERT_EXPIRY_SECONDS: 'istio_agent_cert_expiry_seconds',
  /** istio-agent: failed requests to the CA, by `request_type` (`csr`) (§7.2). */
  AGENT_FAILED_REQUESTS: 'istio_agent_num_failed_outgoing_requests',
  /** cert-manager: Certificate NotAfter as unix time (cm internal/collectors/certificate_collector.go, §7.5). */
  CM_CERT_EXPIRATION: 'certmanager_certificate_expiration_timestamp_seconds',
  /** cert-manager: when the Certificate is due for renewal, unix time (§7.5). */
  CM_CERT_RENEWAL: 'certmanager_certificate_renewal_timestamp_seconds',
  /** cert-manager: Ready condition by `condition` (§7.5). */
  CM_CERT_READY: 'certmanager_certificate_ready_status',
  /** cert-manager: Issuer Ready condition (§7.5). */
  CM_ISSUER_READY: 'certmanager_issuer_ready_status',
  /** cert-manager: ClusterIssuer Ready condition (§7.5). */
  CM_CLUSTERISSUER_READY: 'certmanager_clusterissuer_ready_status',
  /** istio-csr: its TLS provider's CertificateRequests by `success` (csr pkg/tls/tls.go, §7.5). */
  ISTIO_CSR_TLS_REQUESTS: 'cert_manager_istio_csr_tls_provider_certificate_requests',
} as const;

/**
 * Label values the exporters really emit, where an alert matches on one.
 * istio-csr counts its serving-cert requests with `success="0"` (failed) or `"1"` (issued), strconv of a bool-as-int
 * (https://github.com/cert-manager/istio-csr/blob/v0.17.0/pkg/tls/tls.go#L351-L352, #L447).
 */
export const METRIC_LABEL_VALUES = {
  ISTIO_CSR_FAILED: '0',
  ISTIO_CSR_ISSUED: '1',
  /** cert-manager Ready-condition series: one per status (cm internal/collectors/certificate_collector.go). */
  CM_CONDITIONS: ['True', 'False', 'Unknown'],
  /** istio-agent `istio_agent_cert_expiry_seconds{resource_name}` of the workload certificate (cache/monitoring.go). */
  AGENT_WORKLOAD_RESOURCE: 'default',
} as const;

/** Metric names that do not exist or are not about certificates (docs/reference.md §7.4, §11 i). */
export const NOT_CERTIFICATE_METRICS = {
  istio_certificate_expiration_timestamp: 'does not exist in any Istio release (§7.4)',
  pilot_xds_cds_reject: 'a legacy gauge of Envoy CDS NACKs, unrelated to certificates (§7.4)',
} as const;

/** PromQL for "seconds left" of an istiod CA gauge, version-aware: `*_seconds` from 1.23, timestamp before (§7.1). */
export function caExpirySeconds(kind: 'chain' | 'root', istioVersion: string): string {
  if (holds('CA_EXPIRY_SECONDS_METRICS', istioVersion)) {
    return kind === 'chain' ? METRICS.CA_CHAIN_EXPIRY_SECONDS : METRICS.CA_ROOT_EXPIRY_SECONDS;
  }
  return `(${kind === 'chain' ? METRICS.CA_CHAIN_EXPIRY_TIMESTAMP : METRICS.CA_ROOT_EXPIRY_TIMESTAMP} - time())`;
}
