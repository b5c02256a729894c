import { Chart, ChartProps, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  CaIntegration, CertAlertRules, CertManagerIssuer, IssuerSource, IstioCustomCa, KeyAlgorithm, PeerAuthMode, PermissivePeerAuth,
} from '../../src';

/** Props of the default example. */
export interface SelfSignedMeshChartProps extends ChartProps {
  /** Istio version targeted. @default '1.30' */
  readonly istioVersion?: string;
}

/**
 * A self-signed bootstrap root → CA ClusterIssuer → `cacerts` intermediate → istiod, plus a PERMISSIVE fallback
 * for one legacy workload that still receives plaintext traffic.
 */
export class SelfSignedMeshChart extends Chart {
  public readonly issuer: CertManagerIssuer;
  public readonly ca: IstioCustomCa;
  public readonly fallback: PermissivePeerAuth;

  public constructor(scope: Construct, id: string, props: SelfSignedMeshChartProps = {}) {
    super(scope, id, props);
    this.issuer = new CertManagerIssuer(this, 'mesh-root', {
      source: IssuerSource.selfSignedRoot({
        commonName: 'Example Mesh Root CA',
        duration: Duration.hours(87600),
        privateKey: { algorithm: KeyAlgorithm.ECDSA, size: 384 },
      }),
    });
    this.ca = new IstioCustomCa(this, 'istio-ca', {
      integration: CaIntegration.certManagerPluginCa({
        issuer: this.issuer,
        duration: Duration.hours(8760),
        renewBefore: Duration.hours(2160),
        privateKey: { algorithm: KeyAlgorithm.ECDSA, size: 256 },
      }),
      trustDomain: 'mesh.example.com',
      workloadCertTtl: Duration.hours(24),
      gracePeriodRatio: 0.5,
      maxWorkloadCertTtl: Duration.hours(48),
      istioVersion: props.istioVersion,
    });
    this.fallback = new PermissivePeerAuth(this, 'legacy-billing', {
      namespace: 'billing',
      selector: { app: 'legacy-billing' },
      portLevelMtls: [{ port: 8443, mode: PeerAuthMode.STRICT }],
      reason: 'legacy batch clients outside the mesh call port 8080 in plaintext until they are migrated',
      istioVersion: props.istioVersion,
    });
    new CertAlertRules(this, 'cert-alerts', { ca: this.ca });
  }
}
