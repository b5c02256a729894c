/**
 * What each integration legitimately asks cert-manager to sign, as cert-manager approver-policy sees it: the
 * CertificateRequest's namespace, issuer, requester, and the fields of its CSR and spec that approver-policy checks
 * (approver-policy pkg/internal/approver/allowed/evaluator.go: every field present in the request must be allowed).
 * Pure data; `IssuancePolicy` renders it as CertificateRequestPolicy objects with RBAC.
 */
import { CERT_MANAGER_DEFAULTS } from './cert-manager';

/** A service account that creates CertificateRequests. */
export interface Requester {
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** One kind of CertificateRequest an integration makes, and everything approver-policy may allow in it. */
export interface IssuanceRequest {
  /** Short name, part of the policy name (`<istioNamespace>-<id>`). */
  readonly id: string;
  /** What the certificate is for, in NOTES.md. */
  readonly purpose: string;
  /** Namespace the CertificateRequests are created in. */
  readonly namespace: string;
  readonly issuerRef: { readonly name: string; readonly kind: string; readonly group: string };
  /** The one identity allowed to use the policy (RBAC `use`); none means cert-manager's controller (a Certificate's request). */
  readonly requester?: Requester;
  readonly commonName?: string;
  readonly dnsNames?: readonly string[];
  readonly uris?: readonly string[];
  /** Subject organizations the CSR carries (Istio's CSRs carry one empty O, below). */
  readonly organizations?: readonly string[];
  readonly isCa: boolean;
  readonly usages: readonly string[];
  /** Largest `spec.duration` requested. */
  readonly maxDurationMs: number;
  /** Smallest `spec.duration` requested, when the requester asks for a fixed one. */
  readonly minDurationMs?: number;
}

/**
 * Istio's CSR template sets `Subject.Organization = []string{options.Org}` and istio-agent leaves Org empty, so every
 * sidecar CSR (and istio-csr's own serving CSR, built with the same Istio pkiutil) carries one empty O attribute (istio
 * security/pkg/pki/util/generate_csr.go GenCSRTemplate; Go crypto/x509/pkix appendRDNs keeps empty values).
 * approver-policy denies a request with any organization unless `subject.organizations.values` matches it; the
 * pattern "" matches only the empty string (approver-policy pkg/internal/util/wildcard.go).
 */
export const ISTIO_CSR_ORGANIZATIONS: readonly string[] = [''];

/** Usages istio-csr puts on workload CertificateRequests (istio-csr pkg/server/server.go CreateCertificate). */
export const ISTIO_CSR_WORKLOAD_USAGES: readonly string[] = ['client auth', 'server auth'];

/** Usages istio-csr puts on its own gRPC serving certificate (istio-csr pkg/tls/tls.go fetchCertificate). */
export const ISTIO_CSR_SERVING_USAGES: readonly string[] = ['server auth'];

/**
 * istio-csr's static `istiod` Certificate sets no usages (csr deploy/charts/istio-csr/templates/certificate.yaml);
 * cert-manager's defaults for such a Certificate are digital signature and key encipherment. Allowing the server and
 * client usages too keeps the policy valid whether cert-manager copies the defaults into the request or not.
 */
export const ISTIOD_CERTIFICATE_USAGES: readonly string[] = ['digital signature', 'key encipherment', 'server auth', 'client auth'];

/** istio-csr's ServiceAccount: the chart name, whatever the release is called (csr chart _helpers.tpl `name`). */
export const ISTIO_CSR_SERVICE_ACCOUNT = 'cert-manager-istio-csr';

/** cert-manager's controller, which creates the CertificateRequests of Certificates (its Helm release defaults). */
export const CERT_MANAGER_CONTROLLER: Requester = { namespace: CERT_MANAGER_DEFAULTS.namespace, serviceAccount: CERT_MANAGER_DEFAULTS.serviceAccount };

/** The istiod identity istio-csr's `istiod` Certificate carries (csr chart templates/certificate.yaml). */
export function istiodCertificateNames(istioNamespace: string, trustDomain: string): { commonName: string; dnsNames: string[]; uris: string[] } {
  const host = `istiod.${istioNamespace}.svc`;
  return { commonName: host, dnsNames: [host], uris: [`spiffe://${trustDomain}/ns/${istioNamespace}/sa/istiod-service-account`] };
}

/** The URI SANs of every workload identity of the trust domain (`*` in approver-policy spans any characters). */
export function workloadUriPattern(trustDomain: string): string {
  return `spiffe://${trustDomain}/ns/*/sa/*`;
}

/** The cluster-scoped policy's name for one request kind of one control plane. */
export function issuancePolicyName(istioNamespace: string, id: string): string {
  return `istio-custom-ca-${istioNamespace}-${id}`;
}
