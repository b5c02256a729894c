import { Chart, ChartProps, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  CaIntegration, CertAlertRules, CertManagerIssuer, IssuerSource, IstioCustomCa, RootCaBundle, TrustSource,
} from '../../src';

/** Props of the istio-csr example. */
export interface IstioCsrChartProps extends ChartProps {
  /** Ambient mesh. @default false */
  readonly ambient?: boolean;
}

/**
 * istio-csr with a cert-manager CA issuer: bootstrap root (SelfSigned → root Certificate) → CA Issuer `istio-ca` in
 * istio-system (istio-csr's default) → istio-csr signs 1h workload leaves; a trust-manager Bundle pins the root.
 */
export class IstioCsrChart extends Chart {
  public readonly ca: IstioCustomCa;

  public constructor(scope: Construct, id: string, props: IstioCsrChartProps = {}) {
    super(scope, id, props);
    // The bootstrap root is a namespaced Issuer in trust-manager's trust namespace, where its Secret must be read.
    const root = new CertManagerIssuer(this, 'mesh-root', {
      namespace: 'cert-manager',
      source: IssuerSource.selfSignedRoot({ commonName: 'Example Mesh Root CA', duration: Duration.hours(87600) }),
    });
    // istio-csr creates its CertificateRequests in istio-system, so a namespaced issuer lives there.
    const issuer = new CertManagerIssuer(this, 'istio-ca', {
      namespace: 'istio-system',
      source: IssuerSource.ca({ secretName: 'istio-ca' }),
    });
    this.ca = new IstioCustomCa(this, 'istio', {
      integration: CaIntegration.istioCsr({
        issuer,
        // The root Certificate's Secret (in trust-manager's trust namespace, cert-manager) → ConfigMap istio-root-ca.
        rootCaBundle: RootCaBundle.trustManager({ name: 'istio-root-ca', sources: [TrustSource.secret(`${root.name}-root`, 'ca.crt')] }),
        maxCertificateDuration: Duration.hours(1),
      }),
      trustDomain: 'mesh.example.com',
      ambient: props.ambient,
    });
    new CertAlertRules(this, 'cert-alerts', { ca: this.ca });
  }
}
