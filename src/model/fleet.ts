import { DEFAULT_TRUST_DOMAIN } from './identity';
import { PKI_DEFAULTS } from './pki-defaults';

/**
 * The rules a multi-cluster mesh on one root must keep across its clusters (Istio multi-cluster docs,
 * https://istio.io/latest/docs/setup/install/multicluster/before-you-begin/): per-cluster settings that must differ,
 * and settings that must agree. Pure: each cluster arrives as plain values.
 */

/** One cluster as the fleet rules see it. */
export interface FleetClusterModel extends ClusterTrustDomain {
  /** Common name of the cluster's intermediate CA. */
  readonly intermediateCommonName: string;
}

/** Each cluster as the fleet rules see it, with the fleet's defaults: its trust domain, aliases and intermediate common name. */
export function fleetClusterModels(clusters: readonly { readonly name: string; readonly trustDomain?: string; readonly trustDomainAliases?: readonly string[];
  readonly intermediateCommonName?: string; }[], fleetTrustDomain: string | undefined): FleetClusterModel[] {
  return clusters.map((c) => ({
    name: c.name,
    trustDomain: c.trustDomain ?? fleetTrustDomain ?? DEFAULT_TRUST_DOMAIN,
    trustDomainAliases: c.trustDomainAliases ?? [],
    intermediateCommonName: c.intermediateCommonName ?? `${PKI_DEFAULTS.fleetIntermediateCommonNamePrefix} ${c.name}`,
  }));
}

/** Cluster names: DNS-1123 labels (folder names, Argo CD cluster names, Vault mount and policy suffixes), at most 40 characters. */
const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/;

export function clusterNameProblem(prop: string, name: string): string | undefined {
  if (typeof name === 'string' && CLUSTER_NAME.test(name)) return undefined;
  return `'${prop}' (${name}) must be 1-40 lowercase letters, digits and '-', starting and ending with a letter or digit: it names ` +
    'the cluster (CLUSTER_ID), its output folder, its Argo CD cluster and its Vault auth mount';
}

/** A fleet id: `uses` says what it names (a folder, the ApplicationSet, the default mesh ID). */
export function fleetIdProblem(id: string, uses: string): string | undefined {
  // A DNS label: it also becomes the default mesh ID, which Istio requires to end with a letter or digit.
  if (typeof id === 'string' && /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(id)) return undefined;
  return `'id' (${id}) names ${uses}; use 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit`;
}

/** Two clusters that must differ but do not, or two whose identities the other would reject; empty when the fleet is whole. */
export function fleetProblems(clusters: readonly FleetClusterModel[]): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  const cnOwner = new Map<string, string>();
  clusters.forEach((c, i) => {
    if (names.has(c.name)) {
      problems.push(`clusters[${i}] has the name '${c.name}' of an earlier cluster: istiod, istio-csr and ztunnel announce it as ` +
        'CLUSTER_ID, and two clusters with one ID break endpoint discovery and identity checks; give each cluster its own name');
      return;
    }
    names.add(c.name);
    const other = cnOwner.get(c.intermediateCommonName);
    if (other !== undefined) {
      problems.push(`clusters '${other}' and '${c.name}' have the same intermediate common name ('intermediateCommonName') ` +
        `(${c.intermediateCommonName}); give each cluster its own, so that a certificate chain shows which cluster signed it`);
    } else {
      cnOwner.set(c.intermediateCommonName, c.name);
    }
  });
  for (let i = 0; i < clusters.length; i++) {
    for (let j = i + 1; j < clusters.length; j++) {
      if (clusters[i].name === clusters[j].name) continue;
      const p = trustDomainPairProblem(clusters[i], clusters[j], "'trustDomainAliases'");
      if (p) problems.push(p);
    }
  }
  return problems;
}

/** A cluster's identity settings, as the trust-domain rule sees them. */
export interface ClusterTrustDomain {
  readonly name: string;
  readonly trustDomain: string;
  readonly trustDomainAliases: readonly string[];
}

/**
 * Two clusters whose trust domains differ without each listing the other's as an alias reject each other's workload
 * identities in authorization policies (meshConfig.trustDomainAliases). `aliases` names the setting in the message.
 */
export function trustDomainPairProblem(a: ClusterTrustDomain, b: ClusterTrustDomain, aliases: string): string | undefined {
  if (a.trustDomain === b.trustDomain) return undefined;
  const missing = [
    ...(a.trustDomainAliases.includes(b.trustDomain) ? [] : [`add '${b.trustDomain}' to ${a.name}'s ${aliases}`]),
    ...(b.trustDomainAliases.includes(a.trustDomain) ? [] : [`add '${a.trustDomain}' to ${b.name}'s ${aliases}`]),
  ];
  return missing.length === 0 ? undefined : `clusters '${a.name}' (trust domain ${a.trustDomain}) and '${b.name}' (trust domain ${b.trustDomain}) would reject ` +
    `each other's workload identities in authorization policies; use one trust domain, or ${missing.join(' and ')}`;
}
