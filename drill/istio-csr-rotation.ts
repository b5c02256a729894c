import { Chart } from 'cdk8s';
import {
  CaIntegration, CertManagerIssuer, IRotationPhaseBuilder, IssuerKind, IssuerSource, IstioCustomCa, MeshApp, RootCaBundle,
  RotationPhase, TrustSource,
} from '../src';

/** An istio-csr mesh per rotation phase: the pinned bundle follows the phase's roots; the issuer switches in phase 2. */
export class IstioCsrRotationBuilder implements IRotationPhaseBuilder {
  public buildPhase(app: MeshApp, phase: RotationPhase): IstioCustomCa {
    const c = new Chart(app, 'mesh');
    const issuer = (name: string) => new CertManagerIssuer(c, name, { kind: IssuerKind.ISSUER, namespace: 'istio-system', source: IssuerSource.ca({ secretName: name }) });
    const a = issuer('istio-ca-a');
    const b = issuer('istio-ca-b');
    return new IstioCustomCa(c, 'istio', {
      integration: CaIntegration.istioCsr({
        issuer: phase.issueFromNew ? b : a,
        rootCaBundle: RootCaBundle.trustManager({ name: 'istio-root-ca', sources: phase.trustedRootsPem.map((p) => TrustSource.inline(p)) }),
      }),
    });
  }
}
