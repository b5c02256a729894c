import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chart, Duration } from 'cdk8s';
import {
  AdoptEnterpriseCa, CaIntegration, CaIntegrationType, CertAlertRules, CertManagerIssuer, CsrSigner, IRotationPhaseBuilder, IssuerSource,
  IstioCustomCa, MeshApp, RotationPhase, VaultAuth,
} from '../../src';

const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', name), 'utf8');

/**
 * istiod's self-signed root, as `kubectl -n istio-system get configmap istio-ca-root-cert -o jsonpath='{.data.root-cert\.pem}'`
 * prints it, and your enterprise root. Public stand-ins here; use your mesh's and your CA's.
 */
export const SELF_SIGNED_ROOT_PEM = fixture('root-a.pem');
export const ENTERPRISE_ROOT_PEM = fixture('root-b.pem');

/** The common mesh settings of every phase (the plan copies them into phase 1). */
const MESH = { trustDomain: 'mesh.example.com', workloadCertTtl: Duration.hours(24), maxWorkloadCertTtl: Duration.hours(48) };

/**
 * Phases 2 and 3 with cert-manager's plug-in CA: `cacerts` from the enterprise CA issuer (its key pair in Secret
 * `enterprise-ca`), or with `vault: true` from Vault's PKI under the enterprise root (a cert-manager Vault issuer
 * signing the intermediate at `pki/root/sign-intermediate`); both roots trusted until phase 3.
 */
export class CertManagerAdoptionBuilder implements IRotationPhaseBuilder {
  public readonly integration = CaIntegrationType.CERT_MANAGER_PLUGIN_CA;
  public constructor(private readonly options: { readonly vault?: boolean } = {}) {}
  public buildPhase(app: MeshApp, phase: RotationPhase): IstioCustomCa {
    const chart = new Chart(app, 'istio-custom-ca');
    const source = this.options.vault
      ? IssuerSource.vault({ server: 'https://vault.example.com:8200', path: 'pki/root/sign-intermediate',
        auth: VaultAuth.kubernetes({ role: 'istio-intermediate', serviceAccountName: 'vault-issuer' }) })
      : IssuerSource.ca({ secretName: 'enterprise-ca' });
    const issuer = new CertManagerIssuer(chart, 'enterprise-ca', { source });
    const ca = new IstioCustomCa(chart, 'istio-ca', {
      ...MESH,
      integration: CaIntegration.certManagerPluginCa({ issuer, duration: Duration.hours(8760), renewBefore: Duration.hours(2160) }),
      additionalTrustedRootsPem: phase.additionalTrustedRootsPem,
      multiRoot: phase.multiRoot,
      istiodRestartToken: phase.istiodRestartToken,
    });
    new CertAlertRules(chart, 'cert-alerts', { ca });
    return ca;
  }
}

/** Phases 2 and 3 with a `cacerts` Secret you create yourself (from your PKI or Vault): only Istio's side is written. */
export class ManualAdoptionBuilder implements IRotationPhaseBuilder {
  public readonly integration = CaIntegrationType.MANUAL_PLUGIN_CA;
  public buildPhase(app: MeshApp, phase: RotationPhase): IstioCustomCa {
    return new IstioCustomCa(new Chart(app, 'istio-custom-ca'), 'istio-ca', {
      ...MESH,
      integration: CaIntegration.manualPluginCa(),
      additionalTrustedRootsPem: phase.additionalTrustedRootsPem,
      multiRoot: phase.multiRoot,
      istiodRestartToken: phase.istiodRestartToken,
    });
  }
}

/** Phases 2 and 3 with istiod as a Kubernetes CSR registration authority for a signer under the enterprise root. */
export class KubernetesCsrAdoptionBuilder implements IRotationPhaseBuilder {
  public readonly integration = CaIntegrationType.KUBERNETES_CSR;
  public buildPhase(app: MeshApp, phase: RotationPhase): IstioCustomCa {
    return new IstioCustomCa(new Chart(app, 'istio-custom-ca'), 'istio-ca', {
      ...MESH,
      integration: CaIntegration.kubernetesCsr({
        signer: CsrSigner.named('clusterissuers.cert-manager.io/enterprise-ca'),
        rootCaPem: ENTERPRISE_ROOT_PEM,
      }),
      additionalTrustedRootsPem: phase.additionalTrustedRootsPem,
      multiRoot: phase.multiRoot,
    });
  }
}

/** The adoption plan for `builder`, written to `<outdir>` (default `dist/adopt-enterprise-ca`). */
export function buildAdoption(builder: IRotationPhaseBuilder = new CertManagerAdoptionBuilder(),
  outdir = join(process.env.CDK8S_OUTDIR ?? 'dist', 'adopt-enterprise-ca')): AdoptEnterpriseCa {
  return new AdoptEnterpriseCa({ selfSignedRootPem: SELF_SIGNED_ROOT_PEM, enterpriseRootPem: ENTERPRISE_ROOT_PEM, builder, outdir });
}
