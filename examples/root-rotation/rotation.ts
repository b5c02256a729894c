import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chart, Duration } from 'cdk8s';
import {
  CaIntegration, CaIntegrationType, CertAlertRules, CertManagerIssuer, IRotationPhaseBuilder, IssuerSource, IstioCustomCa, MeshApp, RootCaRotation, RotationPhase,
} from '../../src';

const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', name), 'utf8');

/** Current root (A) and new root (B). Public stand-ins here; use the PEMs of your CA's roots. */
export const CURRENT_ROOT_PEM = fixture('root-a.pem');
export const NEW_ROOT_PEM = fixture('root-b.pem');

/**
 * The mesh of each phase: a cert-manager plug-in CA whose `cacerts` comes from ClusterIssuer `mesh-root-a` (root A)
 * until phase 2 switches it to `mesh-root-b` (root B). Both CA issuers exist in every phase.
 */
export class PluginCaRotationBuilder implements IRotationPhaseBuilder {
  public readonly integration = CaIntegrationType.CERT_MANAGER_PLUGIN_CA;
  public buildPhase(app: MeshApp, phase: RotationPhase): IstioCustomCa {
    const chart = new Chart(app, 'istio-custom-ca');
    const rootA = new CertManagerIssuer(chart, 'mesh-root-a', { source: IssuerSource.ca({ secretName: 'mesh-root-a' }) });
    const rootB = new CertManagerIssuer(chart, 'mesh-root-b', { source: IssuerSource.ca({ secretName: 'mesh-root-b' }) });
    const ca = new IstioCustomCa(chart, 'istio-ca', {
      integration: CaIntegration.certManagerPluginCa({
        issuer: phase.issueFromNew ? rootB : rootA,
        duration: Duration.hours(8760),
        renewBefore: Duration.hours(2160),
      }),
      trustDomain: 'mesh.example.com',
      maxWorkloadCertTtl: Duration.hours(48),
      additionalTrustedRootsPem: phase.additionalTrustedRootsPem,
      multiRoot: phase.multiRoot,
      istiodRestartToken: phase.istiodRestartToken,
    });
    new CertAlertRules(chart, 'cert-alerts', { ca });
    return ca;
  }
}

/** The staged plan, written to `<outdir>` (default `dist/rotation-cert-manager`). */
export function buildRootRotation(outdir = join(process.env.CDK8S_OUTDIR ?? 'dist', 'rotation-cert-manager')): RootCaRotation {
  return new RootCaRotation({ currentRootPem: CURRENT_ROOT_PEM, newRootPem: NEW_ROOT_PEM, builder: new PluginCaRotationBuilder(), outdir });
}
