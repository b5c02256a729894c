import { Duration } from 'cdk8s';
import { FleetApplicationSetOptions } from './fleet-application-set';
import { IssuancePolicy } from './k8s/issuance-policy';

/** What every cluster of a fleet (`MeshFleet`, `ClusterFleet`) may set. */
export interface FleetClusterProps {
  /** Cluster name: CLUSTER_ID, istio-csr `clusterID`, ztunnel's cluster name, the folder `clusters/<name>/`, the Argo CD cluster. */
  readonly name: string;
  /**
   * Network of the cluster (`global.network`); clusters on different networks reach each other through east-west gateways.
   * @default - none (one flat network)
   */
  readonly network?: string;
  /**
   * Istio version of this cluster.
   * @default '1.30'
   */
  readonly istioVersion?: string;
  /**
   * Trust domain of this cluster.
   * @default - the fleet's trustDomain
   */
  readonly trustDomain?: string;
  /**
   * Other clusters' trust domains this cluster accepts (`meshConfig.trustDomainAliases`), when they differ.
   * @default - none
   */
  readonly trustDomainAliases?: string[];
  /**
   * Common name of this cluster's intermediate CA; unique in the fleet.
   * @default 'Istio intermediate CA <name>'
   */
  readonly intermediateCommonName?: string;
  /**
   * Ambient mode.
   * @default false
   */
  readonly ambient?: boolean;
  /**
   * Who approves this cluster's cert-manager requests.
   * @default - the fleet's issuancePolicy
   */
  readonly issuancePolicy?: IssuancePolicy;
}

/** What every fleet (`MeshFleet`, `ClusterFleet`) may set. */
export interface FleetProps {
  /**
   * Trust domain of every cluster that does not set its own.
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * Sidecar certificate lifetime.
   * @default Duration.hours(24); istio-csr clusters: its maxCertificateDuration
   */
  readonly workloadCertTtl?: Duration;
  /**
   * Who approves each cluster's cert-manager requests, unless a cluster sets its own.
   * @default IssuancePolicy.certManagerDefaultApprover()
   */
  readonly issuancePolicy?: IssuancePolicy;
  /**
   * Certificate-health alerts in each cluster's `alerts/` and manifests.
   * @default true
   */
  readonly alerts?: boolean;
  /**
   * Emit `argocd/applicationset.yaml`: one Argo CD Application per cluster folder (git directory generator).
   * @default - none
   */
  readonly argoCdApplicationSet?: FleetApplicationSetOptions;
  /**
   * Output folder.
   * @default - $CDK8S_OUTDIR, else 'dist'
   */
  readonly outdir?: string;
}
