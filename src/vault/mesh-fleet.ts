import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { Chart } from 'cdk8s';
import { App as TfApp, LocalBackend, TerraformStack } from 'cdktf';
import { CertManagerIssuer } from '../k8s/cert-manager-issuer';
import { IstioCustomCa } from '../k8s/istio-custom-ca';
import { MeshApp } from '../mesh-app';
import { defaultTerraformStateDir, GeneratedFile, nestedOutput, writeOutputTree } from '../output-tree';
import { check, deepTokenProblem, fail } from '../model/errors';
import { fleetClusterModels, fleetIdProblem, fleetProblems } from '../model/fleet';
import { fleetNotes, FleetNotesCluster, vaultFleetRoot } from '../model/fleet-files';
import { applicationSetFile } from '../fleet-application-set';
import {
  buildFleetCluster, checkRootCaPem, fleetClusterConfig, MESH_FLEET, MeshFleetInternalProps, renderFleetRoots, rotatedRootState,
} from './fleet-cluster';
import { MeshFleetProps } from './mesh-fleet-props';
import { localStatePath, stackFiles } from './terraform-files';
import { VaultPkiBackend } from './vault-pki-backend';

export { MeshFleetClusterProps, MeshFleetProps, MeshFleetRotatedRootProps } from './mesh-fleet-props';

const NAME = MESH_FLEET;

/** What the fleet built for one cluster. */
export interface MeshFleetCluster {
  /** Cluster name. */
  readonly name: string;
  /** The cluster's app: add your own charts to it; its output goes to `clusters/<name>/`. */
  readonly app: MeshApp;
  /** The cluster's chart. */
  readonly chart: Chart;
  /** The cluster's Istio CA. */
  readonly istioCa: IstioCustomCa;
  /** The cluster's cert-manager Vault issuer. */
  readonly issuer: CertManagerIssuer;
  /** The cluster's part of the shared Vault stack. */
  readonly backend: VaultPkiBackend;
}

/**
 * A multi-cluster mesh on one root, from one typed config: the root in Vault, and per cluster an intermediate, a
 * Vault auth mount (every cluster has its own service-account issuer), a sign policy and the cluster's Istio and
 * cert-manager configuration. Per-cluster settings that must differ (name, intermediate common name) and settings
 * that must agree (trust domain or aliases on both sides; the root, one by construction) are checked at construction.
 * `synth()` writes `clusters/<name>/{manifests,install,alerts}`, one Terraform stack in `terraform/<id>/`, a fleet
 * `NOTES.md`, and, when asked, `argocd/applicationset.yaml`.
 */
export class MeshFleet {
  /** The output folder. */
  public readonly outdir: string;
  /** The shared Terraform stack. */
  public readonly stack: TerraformStack;
  /** The clusters, in the order given. */
  public readonly clusters: MeshFleetCluster[];
  private readonly id: string;
  private readonly props: MeshFleetProps;

  public constructor(props: MeshFleetProps) {
    check(NAME, deepTokenProblem(props));
    this.props = props;
    this.id = props.id ?? 'mesh-fleet';
    check(NAME, fleetIdProblem(this.id, 'the folder terraform/<id>/'));
    this.outdir = props.outdir ?? process.env.CDK8S_OUTDIR ?? 'dist';
    if (!Array.isArray(props.clusters) || props.clusters.length === 0) {
      fail(NAME, `'clusters' (${JSON.stringify(props.clusters)}) must list at least one cluster`);
    }
    checkRootCaPem(props);
    const rotation = (props as MeshFleetInternalProps).rotationState ?? rotatedRootState(props);
    const models = fleetClusterModels(props.clusters, props.trustDomain);
    const configs = props.clusters.map((c, i) => fleetClusterConfig(props, this.id, c, i, models[i], rotation?.phases[i]));
    const problems = fleetProblems(models);
    if (problems.length) fail(NAME, problems.join('; '));

    const stateDir = props.terraformStateDir ?? defaultTerraformStateDir(this.outdir);
    this.stack = new TerraformStack(new TfApp({ outdir: tmpdir(), skipValidation: true }), this.id);
    new LocalBackend(this.stack, { path: localStatePath(NAME, this.outdir, stateDir, this.id, undefined) });
    new VaultProvider(this.stack, 'vault', { address: props.vaultAddress });
    const roots = renderFleetRoots(this.stack, props, rotation);
    this.clusters = props.clusters.map((c, i) => {
      const app = new MeshApp({ outdir: join(this.outdir, 'clusters', c.name), terraformStateDir: stateDir });
      const parts = buildFleetCluster(app, configs[i], this.stack, roots, c.name, props.alerts ?? true);
      return { name: c.name, app, chart: parts.chart, istioCa: parts.istioCa, issuer: parts.issuer, backend: parts.backend };
    });
  }

  /** Every file `synth()` writes, by path relative to the output folder. */
  public renderOutput(): GeneratedFile[] {
    const files: GeneratedFile[] = [];
    for (const c of this.clusters) {
      // Each cluster folder is one MeshApp output, recorded as such: the linter lints it as one context (contexts.ts).
      files.push(...nestedOutput(`clusters/${c.name}`, c.app.renderOutput()));
    }
    files.push(...stackFiles(this.stack, this.id));
    const root = vaultFleetRoot(this.id, this.props.rootCaPem !== undefined);
    files.push({ path: 'NOTES.md', content: fleetNotes(this.id, this.notesClusters(), this.props.argoCdApplicationSet !== undefined, root) });
    const argo = this.props.argoCdApplicationSet;
    if (argo) files.push(applicationSetFile(this.id, argo));
    return files;
  }

  /** Renders everything, then writes it at once (`writeOutputTree`): nothing is written when anything fails. */
  public synth(): void {
    writeOutputTree(this.outdir, this.renderOutput());
  }

  private notesClusters(): FleetNotesCluster[] {
    return this.clusters.map((c, i) => ({
      name: c.name,
      integration: c.istioCa.integration.type,
      network: this.props.clusters[i].network,
      trustDomain: c.istioCa.trustDomain,
      istioVersion: c.istioCa.istioVersion,
      signPath: c.backend.signPath,
      authPath: c.backend.authPath,
    }));
  }
}
