import { Duration } from 'cdk8s';
import { CertAlertRules, MeshApp, PermissivePeerAuth } from '../../src';
import { MeshPki, MeshPkiConfig, VaultPkiRoute } from '../../src/vault';

/** The one typed config: both the cluster half and the Vault half are built from these values. */
export const DEFAULT_CONFIG: MeshPkiConfig = {
  route: VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD,
  vaultAddress: 'https://vault.example.com:8200',
  vaultCaBundleSecretName: 'vault-ca',
  kubernetesHost: 'https://kubernetes.example.com:6443',
  trustDomain: 'mesh.example.com',
  rootCommonName: 'Example Mesh Root CA',
  rootTtl: Duration.hours(87600),
  intermediateDuration: Duration.hours(8760),
  intermediateRenewBefore: Duration.hours(2160),
  workloadCertTtl: Duration.hours(24),
  gracePeriodRatio: 0.5,
  maxWorkloadCertTtl: Duration.hours(48),
};

/**
 * The default example: Vault root (Terraform) → cert-manager Vault ClusterIssuer at `pki/root/sign-intermediate`
 * → `cacerts` intermediate → istiod; a PERMISSIVE fallback for one legacy workload; certificate-health alerts.
 */
export function buildDefaultMesh(app: MeshApp, config: MeshPkiConfig = DEFAULT_CONFIG) {
  const pki = new MeshPki(app, 'istio-custom-ca', config);
  const fallback = new PermissivePeerAuth(pki.chart, 'legacy-billing', {
    namespace: 'billing',
    selector: { app: 'legacy-billing' },
    reason: 'legacy batch clients outside the mesh call this workload in plaintext until they are migrated',
    istioVersion: config.istioVersion,
  });
  const alerts = new CertAlertRules(pki.chart, 'cert-alerts', { ca: pki.istioCa, monitors: true });
  return { pki, fallback, alerts };
}
