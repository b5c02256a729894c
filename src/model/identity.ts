/**
 * SPIFFE identities and Istio's trust-domain rules (docs/reference.md §10;
 * istio pkg/config/validation/agent/validation.go `ValidateTrustDomain`, pkg/spiffe/spiffe.go).
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Istio's default `meshConfig.trustDomain` (istio pkg/config/mesh/mesh.go). */
export const DEFAULT_TRUST_DOMAIN = 'cluster.local';

/**
 * Problem text when Istio would reject `value` as a trust domain, else undefined: non-empty, every
 * dot-separated label a DNS-1123 label, one trailing dot allowed. Stricter than SPIFFE (no '_', no uppercase).
 */
export function trustDomainProblem(prop: string, value: string): string | undefined {
  const body = value.endsWith('.') ? value.slice(0, -1) : value;
  const labels = body.split('.');
  const bad = value.length === 0 || labels.some((l) => l.length > 63 || !DNS1123_LABEL.test(l));
  if (!bad) return undefined;
  return `'${prop}' (${value}) is not a trust domain that Istio accepts; every dot-separated part must be ` +
    "1-63 lowercase letters, digits or '-', starting and ending with a letter or digit (e.g. mesh.example.com)";
}

/** Istio rewrites '@' in the trust domain to '.' when it builds SPIFFE IDs (pkg/spiffe/spiffe.go). */
export function spiffeTrustDomain(trustDomain: string): string {
  return trustDomain.replace(/@/g, '.');
}

/** `spiffe://<td>/ns/<namespace>/sa/<serviceAccount>`, the workload identity Istio puts in the URI SAN. */
export function spiffeId(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `spiffe://${spiffeTrustDomain(trustDomain)}/ns/${namespace}/sa/${serviceAccount}`;
}

/** The CA derives SANs from its own trust domain, so Istio and the CA must agree (docs/reference.md §10, §2b). */
export function trustDomainMismatchProblem(a: string, aValue: string, b: string, bValue: string): string | undefined {
  if (aValue === bValue) return undefined;
  return `${a} trust domain (${aValue}) differs from ${b} (${bValue}); the CA issues SPIFFE IDs of its own trust domain, ` +
    'so peers would reject each other; use one trust domain everywhere';
}

/** X.509 commonName: 1 to 64 bytes (RFC 5280 ub-common-name; cert-manager and Vault reject longer), no control characters. */
export function commonNameProblem(prop: string, value: string): string | undefined {
  if (typeof value === 'string' && value.trim().length > 0 && Buffer.byteLength(value) <= 64 && !/[\u0000-\u001f\u007f]/.test(value)) return undefined;
  return `'${prop}' (${value}) must be a certificate common name of 1 to 64 bytes without control characters (RFC 5280 ub-common-name); ` +
    'give the CA a short recognisable name';
}
