/**
 * Kubernetes CSR signer names as Istio's RA and cert-manager use them (docs/reference.md §3):
 * full name `<domain>/<short>`, e.g. `clusterissuers.cert-manager.io/istio-system`; istiod joins
 * `CERT_SIGNER_DOMAIN` and the proxy's `ISTIO_META_CERT_SIGNER` (the short name) into the full name.
 */

/** A signer name split into domain and short name. */
export interface SignerName {
  /** `<domain>/<name>`, as in a CSR's `spec.signerName`. */
  readonly full: string;
  /** The domain: istiod's `CERT_SIGNER_DOMAIN`. */
  readonly domain: string;
  /** The name after the domain: a proxy's `ISTIO_META_CERT_SIGNER`. */
  readonly shortName: string;
}

const SIGNER = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+)\/([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;

/** Parses `<domain>/<short>`; the domain must be a qualified DNS name (K8s signerName rules). */
export function parseSignerName(prop: string, full: string): { name?: SignerName; problem?: string } {
  const m = SIGNER.exec(full);
  if (!m) {
    return { problem: `'${prop}' (${full}) is not a Kubernetes signer name; use '<domain>/<name>', e.g. ` +
      'clusterissuers.cert-manager.io/istio-system' };
  }
  if (full.startsWith('kubernetes.io/')) {
    return { problem: `'${prop}' (${full}) is a built-in Kubernetes signer, which cannot issue Istio workload certificates ` +
      '(kubernetes.io/legacy-unknown is gone since Kubernetes 1.22, docs/reference.md §3); use a signer such as cert-manager' };
  }
  return { name: { full, domain: m[1], shortName: m[5] } };
}

/** The signer domains of cert-manager's CSR controller, by issuer kind (cmweb content/docs/usage/kube-csr.md). */
const CERT_MANAGER_SIGNER_DOMAINS = { ClusterIssuer: 'clusterissuers.cert-manager.io', Issuer: 'issuers.cert-manager.io' } as const;

/** cert-manager's signer name for an issuer: `clusterissuers.cert-manager.io/<name>` or `issuers.cert-manager.io/<ns>.<name>`. */
export function certManagerSignerName(kind: 'ClusterIssuer' | 'Issuer', name: string, namespace?: string): string {
  return kind === 'ClusterIssuer' ? `${CERT_MANAGER_SIGNER_DOMAINS.ClusterIssuer}/${name}` : `${CERT_MANAGER_SIGNER_DOMAINS.Issuer}/${namespace}.${name}`;
}

/** The cert-manager issuer behind a signer name, or undefined when the signer is not cert-manager's. */
export function certManagerIssuerOfSigner(signer: SignerName): { kind: 'ClusterIssuer' | 'Issuer'; name: string; namespace?: string } | undefined {
  if (signer.domain === CERT_MANAGER_SIGNER_DOMAINS.ClusterIssuer) return { kind: 'ClusterIssuer', name: signer.shortName };
  if (signer.domain !== CERT_MANAGER_SIGNER_DOMAINS.Issuer) return undefined;
  const dot = signer.shortName.indexOf('.');
  return { kind: 'Issuer', namespace: signer.shortName.slice(0, dot), name: signer.shortName.slice(dot + 1) };
}
