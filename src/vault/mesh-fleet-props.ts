import { Duration } from 'cdk8s';
import { FleetClusterProps, FleetProps } from '../fleet-props';
import { VaultPkiRoute } from './vault-pki-backend';
import { VaultTokenValidation } from './vault-token-validation';

/** One cluster of a `MeshFleet`. */
export interface MeshFleetClusterProps extends FleetClusterProps {
  /**
   * How this cluster plugs the fleet root into Istio: `cacerts` intermediate (route 1), istio-csr leaves (route 2) or
   * Kubernetes CSR leaves (route 3, needs the fleet's `rootCaPem`).
   */
  readonly route: VaultPkiRoute;
  /**
   * This cluster's API server, for Vault's TokenReview (Vault in the cluster). Give this or `tokenValidation`.
   * @default - none
   */
  readonly kubernetesHost?: string;
  /**
   * PEM CA of this cluster's API server (public), with `kubernetesHost`.
   * @default - Vault's own trust store
   */
  readonly kubernetesCaCertPem?: string;
  /**
   * Route 2: the workload leaf lifetime istio-csr requests (`app.server.maxCertificateDuration`); at most the leaf
   * role's 24h.
   * @default Duration.hours(1)
   */
  readonly istioCsrMaxCertificateDuration?: Duration;
  /**
   * How Vault validates this cluster's cert-manager token: every cluster has its own service-account issuer.
   * @default - TokenReview against kubernetesHost
   */
  readonly tokenValidation?: VaultTokenValidation;
}

/** Props of `MeshFleet`. */
export interface MeshFleetProps extends FleetProps {
  /** The clusters: each gets its own intermediate under the one root. */
  readonly clusters: MeshFleetClusterProps[];
  /** Vault address (https), where the root lives. */
  readonly vaultAddress: string;
  /**
   * Mesh ID, `global.meshID` in every cluster.
   * @default - the Terraform stack id
   */
  readonly meshId?: string;
  /**
   * Common name of the root generated in Vault.
   * @default 'Istio Mesh Root CA'
   */
  readonly rootCommonName?: string;
  /**
   * Lifetime of the root.
   * @default Duration.hours(87600)
   */
  readonly rootTtl?: Duration;
  /**
   * Public PEM of the fleet root, once Terraform has generated it (`terraform output -raw istio_root_ca_pem`). Clusters on
   * route LEAVES_FOR_KUBERNETES_CSR need it: istiod pins the root by content in `meshConfig.caCertificates`. Add such a
   * cluster after the first apply; Terraform refuses to apply when this is not the root in Vault.
   * @default - none; required when a cluster uses route LEAVES_FOR_KUBERNETES_CSR
   */
  readonly rootCaPem?: string;
  /**
   * Mount of the root.
   * @default 'pki'
   */
  readonly rootMountPath?: string;
  /**
   * Secret (in each cluster) whose `ca.crt` verifies Vault's TLS certificate.
   * @default - cert-manager's system trust store
   */
  readonly vaultCaBundleSecretName?: string;
  /**
   * Route 1 clusters: lifetime of each `cacerts` intermediate.
   * @default Duration.hours(8760)
   */
  readonly intermediateDuration?: Duration;
  /**
   * Route 1 clusters: renewBefore of each intermediate.
   * @default Duration.hours(2160)
   */
  readonly intermediateRenewBefore?: Duration;
  /**
   * The fleet after a completed `MeshFleetRootRotation`: every cluster issues from the new root and trusts only it, as
   * in the plan's last step (`MeshFleetRootRotation.completedFleetProps()` gives these props).
   * @default - no rotation: the fleet runs on its first root
   */
  readonly rotatedRoot?: MeshFleetRotatedRootProps;
  /**
   * Id of the Terraform stack (`terraform/<id>/`).
   * @default 'mesh-fleet'
   */
  readonly id?: string;
  /**
   * Folder of the default local Terraform state, outside the output folder.
   * @default - `.istio-custom-ca-state` beside the output folder
   */
  readonly terraformStateDir?: string;
}

/** The root a fleet moved to with `MeshFleetRootRotation`. */
export interface MeshFleetRotatedRootProps {
  /** Public PEM of the root the fleet moved from (its mount stays in Vault). */
  readonly previousRootPem: string;
  /** Public PEM of the root the fleet uses now (`terraform output -raw istio_next_root_ca_pem`). */
  readonly rootPem: string;
  /**
   * Its mount in Vault.
   * @default 'pki-next'
   */
  readonly mountPath?: string;
  /**
   * Its common name.
   * @default - the fleet's root common name, with ' 2'
   */
  readonly commonName?: string;
}
