import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { CaIntegration, CertAlertRules, CertManagerIssuer, CsrSigner, IssuerKind, IssuerSource, IstioCustomCa } from '../../src';

/** The signers' root CA (public). In your repo: the PEM of the CA behind your ClusterIssuers. */
export const SIGNER_ROOT_PEM = readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'root-a.pem'), 'utf8');

/**
 * Kubernetes CSR API (istiod as RA, experimental upstream, `docs/reference.md` §3): cert-manager's CSR controller signs
 * for ClusterIssuer `istio-system` (mesh default) and `team-a-ca` (namespace team-a, via a ProxyConfig).
 */
export class KubernetesCsrChart extends Chart {
  public readonly ca: IstioCustomCa;

  public constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    // cert-manager signs Kubernetes CSRs for ClusterIssuers without further RBAC; a namespaced Issuer would also need
    // istiod to hold `reference` on its signer (https://cert-manager.io/docs/usage/kube-csr/). The ClusterIssuers are an
    // explicit opt-in, and NOTES.md warns.
    const clusterIssuer = (id: string, secretName: string) =>
      new CertManagerIssuer(this, id, { kind: IssuerKind.CLUSTER_ISSUER, source: IssuerSource.ca({ secretName }) });
    const meshSigner = clusterIssuer('istio-system', 'mesh-signing-ca');
    const teamSigner = clusterIssuer('team-a-ca', 'team-a-signing-ca');
    this.ca = new IstioCustomCa(this, 'istio', {
      integration: CaIntegration.kubernetesCsr({
        signer: CsrSigner.certManagerIssuer(meshSigner),
        rootCaPem: SIGNER_ROOT_PEM,
        namespaceSigners: [{ namespace: 'team-a', signer: CsrSigner.certManagerIssuer(teamSigner) }],
      }),
      trustDomain: 'mesh.example.com',
    });
    new CertAlertRules(this, 'cert-alerts', { ca: this.ca });
  }
}
