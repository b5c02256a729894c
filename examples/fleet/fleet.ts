import { Duration } from 'cdk8s';
import { IssuancePolicy } from '../../src';
import { MeshFleet, MeshFleetProps, VaultPkiRoute } from '../../src/vault';

/**
 * Three clusters on one Vault root: two run the plug-in CA (cert-manager keeps a per-cluster intermediate in
 * `cacerts`), one runs istio-csr (Vault signs its leaves under a per-cluster intermediate). east and central share
 * a network; west is on its own, behind an east-west gateway.
 */
export function fleetProps(outdir?: string): MeshFleetProps {
  return {
    id: 'mesh-fleet',
    outdir,
    vaultAddress: 'https://vault.example.com:8200',
    vaultCaBundleSecretName: 'vault-ca',
    trustDomain: 'mesh.example.com',
    rootCommonName: 'Example Mesh Root CA',
    rootTtl: Duration.hours(87600),
    intermediateDuration: Duration.hours(8760),
    intermediateRenewBefore: Duration.hours(2160),
    issuancePolicy: IssuancePolicy.approverPolicy(),
    clusters: [
      { name: 'east', route: VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD, kubernetesHost: 'https://east.k8s.example.com:6443', network: 'network-a' },
      { name: 'central', route: VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD, kubernetesHost: 'https://central.k8s.example.com:6443', network: 'network-a',
        istioVersion: '1.24' },
      // 24h leaves, as the plug-in CA clusters issue (istio-csr's default is 1h), so a root rotation's waits are alike.
      { name: 'west', route: VaultPkiRoute.LEAVES_FOR_ISTIO_CSR, kubernetesHost: 'https://west.k8s.example.com:6443', network: 'network-b',
        istioCsrMaxCertificateDuration: Duration.hours(24) },
    ],
    argoCdApplicationSet: { repoUrl: 'https://git.example.com/platform/mesh.git', path: 'dist-fleet' },
  };
}

export function buildFleet(outdir?: string): MeshFleet {
  return new MeshFleet(fleetProps(outdir));
}
