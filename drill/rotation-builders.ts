import { Chart, Duration } from 'cdk8s';
import {
  CaIntegration, CaIntegrationType, CertManagerIssuer, CsrSigner, IRotationPhaseBuilder, IssuerKind, IssuerSource, IstioCustomCa, MeshApp, RootCaBundle, RotationPhase, TrustSource,
} from '../src';

/** Rotation phase builders for the integrations the examples do not cover, used by the drill and the tests. */
/** An istio-csr mesh per rotation phase: the pinned bundle follows the phase's roots; the issuer switches in phase 2. */
export class IstioCsrRotationBuilder implements IRotationPhaseBuilder {
  public readonly integration = CaIntegrationType.ISTIO_CSR;
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

/**
 * A Kubernetes CSR mesh per rotation phase: both signers' roots trusted with multi-root in phases 1–2; the mesh
 * moves from the signer under root A to the one under root B in phase 2.
 */
export class KubernetesCsrRotationBuilder implements IRotationPhaseBuilder {
  public readonly integration = CaIntegrationType.KUBERNETES_CSR;
  public buildPhase(app: MeshApp, phase: RotationPhase): IstioCustomCa {
    const [a, b] = phase.trustedRootsPem.length === 2 ? phase.trustedRootsPem : [undefined, phase.trustedRootsPem[0]];
    return new IstioCustomCa(new Chart(app, 'mesh'), 'istio', {
      integration: CaIntegration.kubernetesCsr({
        signer: CsrSigner.named(phase.issueFromNew ? 'clusterissuers.cert-manager.io/mesh-signer-b' : 'clusterissuers.cert-manager.io/mesh-signer-a'),
        rootCaPem: phase.issueFromNew ? b! : a!,
      }),
      additionalTrustedRootsPem: phase.additionalTrustedRootsPem,
      multiRoot: phase.multiRoot,
    });
  }
}

/** A manual plug-in CA per phase: only the Istio side (cacerts is handled out of band, as ROTATION.md says). */
export class ManualPluginCaRotationBuilder implements IRotationPhaseBuilder {
  public readonly integration = CaIntegrationType.MANUAL_PLUGIN_CA;
  public buildPhase(app: MeshApp, phase: RotationPhase): IstioCustomCa {
    return new IstioCustomCa(new Chart(app, 'mesh'), 'istio', {
      integration: CaIntegration.manualPluginCa(),
      workloadCertTtl: Duration.hours(12),
      additionalTrustedRootsPem: phase.additionalTrustedRootsPem,
      multiRoot: phase.multiRoot,
      istiodRestartToken: phase.istiodRestartToken,
    });
  }
}
