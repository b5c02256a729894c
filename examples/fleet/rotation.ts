import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chart, Duration } from 'cdk8s';
import {
  CaIntegration, CaIntegrationType, CertAlertRules, CertManagerIssuer, FleetRootRotation, IRotationPhaseBuilder, IssuerKind, IssuerSource, IstioCustomCa,
  IstioCustomCaProps, MeshApp, RootCaBundle, RotationPhase, TrustSource,
} from '../../src';

const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', name), 'utf8');

/** Current root (A) and new root (B). Public stand-ins here; use your roots' PEMs. */
export const CURRENT_ROOT_PEM = fixture('root-a.pem');
export const NEW_ROOT_PEM = fixture('root-b.pem');

const TRUST_DOMAIN = 'mesh.example.com';
/** One workload lifetime in every cluster (istio-csr's cap raised to it), so the clusters' waits are alike. */
const WORKLOAD_CERT_TTL = Duration.hours(24);
const MESH_ID = 'mesh-fleet';

/** What every cluster of this fleet sets the same way, and its own name and network. */
function clusterProps(name: string, network: string): Partial<IstioCustomCaProps> {
  return { clusterName: name, network, meshId: MESH_ID, trustDomain: TRUST_DOMAIN, workloadCertTtl: WORKLOAD_CERT_TTL };
}

/** A plug-in CA cluster's mesh in one phase: the phase's extra roots with multi-root, its istiod restart, and alerts. */
function pluginCa(chart: Chart, name: string, network: string, phase: RotationPhase, integration: CaIntegration): IstioCustomCa {
  const ca = new IstioCustomCa(chart, 'istio-ca', {
    ...clusterProps(name, network),
    integration,
    additionalTrustedRootsPem: phase.additionalTrustedRootsPem,
    multiRoot: phase.multiRoot,
    istiodRestartToken: phase.istiodRestartToken,
  });
  new CertAlertRules(chart, 'cert-alerts', { ca });
  return ca;
}

/**
 * A cert-manager plug-in CA cluster: `cacerts` from the CA issuer of root A (`mesh-root-a`) until its move switches
 * it to root B's (`mesh-root-b`); both issuers exist in every phase, each a Secret that holds a root's CA.
 */
export class PluginCaClusterBuilder implements IRotationPhaseBuilder {
  public readonly integration = CaIntegrationType.CERT_MANAGER_PLUGIN_CA;
  public constructor(private readonly name: string, private readonly network: string) {}
  public buildPhase(app: MeshApp, phase: RotationPhase): IstioCustomCa {
    const chart = new Chart(app, 'istio-custom-ca');
    const issuer = (root: string) => new CertManagerIssuer(chart, root, { source: IssuerSource.ca({ secretName: root }) });
    const [a, b] = [issuer('mesh-root-a'), issuer('mesh-root-b')];
    return pluginCa(chart, this.name, this.network, phase, CaIntegration.certManagerPluginCa({
      issuer: phase.issueFromNew ? b : a, commonName: `Istio intermediate CA ${this.name}`,
      duration: Duration.hours(8760), renewBefore: Duration.hours(2160),
    }));
  }
}

/**
 * A cluster on an offline root: you put each root's intermediate for this cluster into `cacerts` by hand (ROTATION.md
 * says when); the files carry the trust and the istiod restart.
 */
export class ManualPluginCaClusterBuilder implements IRotationPhaseBuilder {
  public readonly integration = CaIntegrationType.MANUAL_PLUGIN_CA;
  public constructor(private readonly name: string, private readonly network: string) {}
  public buildPhase(app: MeshApp, phase: RotationPhase): IstioCustomCa {
    return pluginCa(new Chart(app, 'istio-custom-ca'), this.name, this.network, phase, CaIntegration.manualPluginCa());
  }
}

/** An istio-csr cluster: the pinned root bundle follows the phase's roots; the issuer moves from root A's to root B's. */
export class IstioCsrClusterBuilder implements IRotationPhaseBuilder {
  public readonly integration = CaIntegrationType.ISTIO_CSR;
  public constructor(private readonly name: string, private readonly network: string) {}
  public buildPhase(app: MeshApp, phase: RotationPhase): IstioCustomCa {
    const chart = new Chart(app, 'istio-custom-ca');
    const issuer = (root: string) => new CertManagerIssuer(chart, root, { kind: IssuerKind.ISSUER, namespace: 'istio-system', source: IssuerSource.ca({ secretName: root }) });
    const [a, b] = [issuer('istio-ca-a'), issuer('istio-ca-b')];
    const ca = new IstioCustomCa(chart, 'istio-ca', {
      ...clusterProps(this.name, this.network),
      integration: CaIntegration.istioCsr({
        issuer: phase.issueFromNew ? b : a,
        maxCertificateDuration: WORKLOAD_CERT_TTL,
        rootCaBundle: RootCaBundle.trustManager({ name: 'istio-root-ca', sources: phase.trustedRootsPem.map((p) => TrustSource.inline(p)) }),
      }),
    });
    new CertAlertRules(chart, 'cert-alerts', { ca });
    return ca;
  }
}

/**
 * The fleet's root change A → B: east (cert-manager plug-in CA), central (offline root, manual plug-in CA) and west
 * (istio-csr), moving in that order. Written to `<outdir>` (default `dist-fleet-rotation`).
 */
export function buildFleetRotation(outdir = process.env.CDK8S_OUTDIR ?? 'dist-fleet-rotation'): FleetRootRotation {
  return new FleetRootRotation({
    currentRootPem: CURRENT_ROOT_PEM,
    newRootPem: NEW_ROOT_PEM,
    outdir,
    clusters: [
      { name: 'east', builder: new PluginCaClusterBuilder('east', 'network-a') },
      { name: 'central', builder: new ManualPluginCaClusterBuilder('central', 'network-a') },
      { name: 'west', builder: new IstioCsrClusterBuilder('west', 'network-b') },
    ],
  });
}
