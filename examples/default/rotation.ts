import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaIntegrationType, IRotationPhaseBuilder, IstioCustomCa, MeshApp, RootCaRotation, RotationPhase } from '../../src';
import { buildDefaultMesh, DEFAULT_CONFIG } from './mesh';

/**
 * The roots' PEMs, as Terraform outputs them (`terraform output -raw istio_root_ca_pem > roots/current.pem`,
 * `istio_next_root_ca_pem > roots/next.pem`). Until you have them, public test certificates stand in.
 */
function rootPem(name: 'current' | 'next'): string {
  const own = join(__dirname, 'roots', `${name}.pem`);
  const stand = join(__dirname, '..', '..', 'test', 'fixtures', name === 'current' ? 'root-a.pem' : 'root-b.pem');
  return readFileSync(existsSync(own) ? own : stand, 'utf8');
}

/**
 * Each phase of the default mesh's root rotation: Terraform keeps the current root mount `pki` and adds the next
 * root in `pki-next`; cert-manager signs `cacerts` at `pki-next/root/sign-intermediate` from phase 2.
 */
export class DefaultMeshRotationBuilder implements IRotationPhaseBuilder {
  public readonly integration = CaIntegrationType.CERT_MANAGER_PLUGIN_CA;
  public buildPhase(app: MeshApp, phase: RotationPhase): IstioCustomCa {
    const { pki } = buildDefaultMesh(app, {
      ...DEFAULT_CONFIG,
      nextRootMountPath: 'pki-next',
      nextRootCommonName: 'Example Mesh Root CA 2',
      signWithNextRoot: phase.issueFromNew,
      additionalTrustedRootsPem: phase.additionalTrustedRootsPem,
      multiRoot: phase.multiRoot,
      istiodRestartToken: phase.istiodRestartToken,
    });
    return pki.istioCa;
  }
}

/** The default mesh's staged root rotation plan (`dist/rotation/` by default). */
export function buildDefaultRotation(outdir = join(process.env.CDK8S_OUTDIR ?? 'dist', 'rotation')): RootCaRotation {
  return new RootCaRotation({ currentRootPem: rootPem('current'), newRootPem: rootPem('next'), builder: new DefaultMeshRotationBuilder(), outdir });
}
