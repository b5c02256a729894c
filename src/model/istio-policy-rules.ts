/**
 * Rules about Istio policy objects, written once and used by the constructs (at synth) and the linter.
 * Each returns a problem message without the construct prefix, or undefined.
 */

/** The ConfigMap istiod (or istio-csr) owns in every namespace (docs/reference.md §6.5). */
export const ISTIO_CA_ROOT_CERT = 'istio-ca-root-cert';

/** A selector-bearing PeerAuthentication in the root namespace is ambiguous (docs/reference.md §8.2). */
export function rootNamespaceSelectorProblem(namespace: string, rootNamespace: string): string | undefined {
  if (namespace !== rootNamespace) return undefined;
  return `'namespace' (${namespace}) is the root namespace, where a selector-bearing PeerAuthentication is ` +
    "ambiguous (docs/reference.md §8.2); put the policy in the workload's own namespace";
}

/** ISTIO_MUTUAL ignores caCertificates (docs/reference.md §8.3, §11 j). */
export function istioMutualCaCertificatesProblem(caCertificates: string | undefined): string | undefined {
  if (caCertificates === undefined) return undefined;
  return `'caCertificates' (${caCertificates}) cannot pin a CA with ISTIO_MUTUAL: Pilot keeps only subjectAltNames, ` +
    'sni and insecureSkipVerify and always trusts the mesh root from SDS, so the file would be silently ignored (docs/reference.md ' +
    '§8.3, §11 j); narrow peers with their SPIFFE IDs, or use MUTUAL (DestinationTrust.externalCaFiles()) for a foreign CA';
}

/** Nothing but istiod or istio-csr may write istio-ca-root-cert (docs/reference.md §6.5, §11 k). */
export function istioCaRootCertNameProblem(prop: string, name: string): string | undefined {
  if (name !== ISTIO_CA_ROOT_CERT) return undefined;
  return `'${prop}' (${name}) is the ConfigMap istiod or istio-csr own and rewrite in every namespace ` +
    '(docs/reference.md §6.5); choose another name, e.g. istio-root-ca';
}
