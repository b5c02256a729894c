import { Duration } from 'cdk8s';
import { CertAlertRules, MeshApp } from '../../src';
import { MeshPki, MeshPkiConfig, VaultPkiRoute } from '../../src/vault';

/** Route 2: Vault signs every workload leaf for istio-csr through `pki_int/sign/istio-workload`. */
export const VAULT_ISTIO_CSR_CONFIG: MeshPkiConfig = {
  route: VaultPkiRoute.LEAVES_FOR_ISTIO_CSR,
  vaultAddress: 'https://vault.example.com:8200',
  vaultCaBundleSecretName: 'vault-ca',
  kubernetesHost: 'https://kubernetes.example.com:6443',
  trustDomain: 'mesh.example.com',
  rootCommonName: 'Example Mesh Root CA',
  rootTtl: Duration.hours(87600),
  intermediateTtl: Duration.hours(43800),
  leafMaxTtl: Duration.hours(24),
  istioCsrMaxCertificateDuration: Duration.hours(1),
  istiodCertificateDuration: Duration.hours(1),
};

/** Builds the route-2 example into `app`. */
export function buildVaultIstioCsrMesh(app: MeshApp, config: MeshPkiConfig = VAULT_ISTIO_CSR_CONFIG) {
  const pki = new MeshPki(app, 'vault-istio-csr', config);
  new CertAlertRules(pki.chart, 'cert-alerts', { ca: pki.istioCa });
  return pki;
}
