import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App as TfApp, TerraformStack } from 'cdktf';
import { FleetRootRotation } from '../fleet-root-rotation';
import { IstioCustomCa } from '../k8s/istio-custom-ca';
import { MeshApp } from '../mesh-app';
import { defaultTerraformStateDir, GeneratedFile, writeOutputTree } from '../output-tree';
import { rootChangeRoots } from '../plan-output';
import { check, deepTokenProblem, fail } from '../model/errors';
import { FleetClusterModel, fleetClusterModels } from '../model/fleet';
import { commonNameProblem } from '../model/identity';
import { CaIntegrationType } from '../model/integration-traits';
import { normalisePem, parseCaBundle } from '../model/pem';
import { mountPathProblem } from '../model/vault-policy';
import { IRotationPhaseBuilder, RotationPhase } from '../root-ca-rotation';
import {
  buildFleetCluster, FLEET_ROOTS_BUNDLE, FleetNextRoot, fleetClusterConfig, fleetNextRoot, FleetRotationState, MeshFleetInternalProps, renderFleetRoots,
  ROUTE_INTEGRATION,
} from './fleet-cluster';
import { MeshFleet } from './mesh-fleet';
import { MeshFleetClusterProps, MeshFleetProps } from './mesh-fleet-props';
import { stackFiles } from './terraform-files';
import { VaultPkiRoute } from './vault-pki-backend';

const NAME = 'MeshFleetRootRotation';

/** Folder of the step that only adds the next root in Vault. */
const ADD_NEXT_ROOT = '0-add-next-root';

/** Props of `MeshFleetRootRotation`. */
export interface MeshFleetRootRotationProps {
  /** The fleet as it runs now, on its current root; its clusters move to the new root in the order listed. */
  readonly fleet: MeshFleetProps;
  /** Public PEM of the current root (`terraform output -raw istio_root_ca_pem`). */
  readonly currentRootPem: string;
  /**
   * Public PEM of the new root, once step `0-add-next-root` is applied (`terraform output -raw istio_next_root_ca_pem`).
   * @default - only step 0 is planned
   */
  readonly newRootPem?: string;
  /**
   * Mount of the new root in Vault.
   * @default 'pki-next'
   */
  readonly nextRootMountPath?: string;
  /**
   * Common name of the new root.
   * @default - the fleet's root common name, with ' 2'
   */
  readonly nextRootCommonName?: string;
  /**
   * Output folder of the plan.
   * @default - `fleet-rotation` in the fleet's output folder
   */
  readonly outdir?: string;
}

/**
 * A root change A → B of a `MeshFleet` whose root is in Vault, with the Vault side in every step: step
 * `0-add-next-root` adds root B in its own mount (and, for istio-csr and Kubernetes CSR clusters, an intermediate under it); then the
 * steps of `FleetRootRotation` (every cluster trusts A and B, clusters move one at a time, A is dropped everywhere),
 * each with the fleet's Terraform stack in that state: a moving cluster's sign policy and issuer move to B in its own
 * step. Every step's Terraform uses the fleet's state and refuses to apply unless the roots' PEMs are Vault's.
 */
export class MeshFleetRootRotation {
  /** The plan's folder. */
  public readonly outdir: string;
  /** The cluster steps; undefined while `newRootPem` is not given (only step 0 is planned). */
  public readonly clusterPlan?: FleetRootRotation;
  /** Each step's fleet (its Terraform stack is the step's `terraform/<id>/`), step 0 first. */
  public readonly stepFleets: MeshFleet[];
  private readonly folders: string[];
  private readonly id: string;
  private readonly nextRoot: FleetNextRoot;
  private readonly fleet: MeshFleetProps;
  private readonly currentRootPem: string;
  private readonly newRootPem?: string;

  public constructor(props: MeshFleetRootRotationProps) {
    check(NAME, deepTokenProblem(props));
    const fleet = props.fleet;
    if (typeof fleet !== 'object' || fleet === null || !Array.isArray(fleet.clusters)) {
      fail(NAME, `'fleet' (${JSON.stringify(fleet)}) must be the MeshFleetProps of the fleet as it runs now`);
    }
    this.fleet = fleet;
    this.currentRootPem = props.currentRootPem;
    this.newRootPem = props.newRootPem;
    this.id = fleet.id ?? 'mesh-fleet';
    const fleetOutdir = fleet.outdir ?? process.env.CDK8S_OUTDIR ?? 'dist';
    this.outdir = props.outdir ?? join(fleetOutdir, 'fleet-rotation');
    // Every step's Terraform uses the fleet's own state: the plan changes the fleet's Vault objects, never new copies.
    const stateDir = fleet.terraformStateDir ?? defaultTerraformStateDir(fleetOutdir);
    if (fleet.rotatedRoot !== undefined) {
      fail(NAME, "'fleet.rotatedRoot' is set: this fleet already moved to a second root, and a further rotation is not supported yet");
    }
    this.nextRoot = fleetNextRoot(fleet, props.nextRootMountPath, props.nextRootCommonName);
    check(NAME, mountPathProblem('nextRootMountPath', this.nextRoot.mountPath));
    check(NAME, commonNameProblem('nextRootCommonName', this.nextRoot.commonName));
    const rotationState = (phases: (RotationPhase | undefined)[]): FleetRotationState =>
      ({ nextRoot: this.nextRoot, phases, currentRootPem: props.currentRootPem, newRootPem: props.newRootPem });
    const stepFleet = (folder: string, phases: (RotationPhase | undefined)[]) => {
      const internal: MeshFleetInternalProps = { ...fleet, outdir: join(this.outdir, folder), terraformStateDir: stateDir, rotationState: rotationState(phases) };
      return new MeshFleet(internal);
    };
    // rootChangeRoots parses both roots; without the new one, the current one alone.
    if (props.newRootPem !== undefined) rootChangeRoots(NAME, ['currentRootPem', props.currentRootPem], ['newRootPem', props.newRootPem]);
    else check(NAME, parseCaBundle('currentRootPem', props.currentRootPem).problem);
    // Kubernetes CSR clusters pin the current root by content: it must be the root the plan moves from.
    if (fleet.rootCaPem !== undefined && normalisePem(fleet.rootCaPem) !== normalisePem(props.currentRootPem)) {
      fail(NAME, "'fleet.rootCaPem' is not 'currentRootPem': the Kubernetes CSR clusters pin the root the fleet runs on, which the plan moves from; make them the same");
    }
    const first = stepFleet(ADD_NEXT_ROOT, fleet.clusters.map(() => undefined));
    this.stepFleets = [first];
    this.folders = [ADD_NEXT_ROOT];
    if (props.newRootPem === undefined) return;

    const models = fleetClusterModels(fleet.clusters, fleet.trustDomain);
    this.clusterPlan = new FleetRootRotation({
      currentRootPem: props.currentRootPem,
      newRootPem: props.newRootPem,
      outdir: this.outdir,
      clusters: fleet.clusters.map((c, i) => ({ name: c.name, builder: new VaultFleetClusterBuilder(fleet, this.id, c, i, models[i], rotationState([])) })),
    });
    const plan = this.clusterPlan;
    for (const s of plan.steps) {
      this.stepFleets.push(stepFleet(s.folder, s.clusters.map((c, i) => plan.clusters[i].phases[c.phase - 1])));
      this.folders.push(s.folder);
    }
  }

  /**
   * The fleet's props once the plan's last step is applied: synthesizing a `MeshFleet` with them gives that step's
   * output, so the fleet's own config stays true after the rotation.
   */
  public completedFleetProps(): MeshFleetProps {
    if (!this.newRootPem) fail(NAME, "completedFleetProps() needs 'newRootPem': the plan holds step 0 only");
    return {
      ...this.fleet,
      rotatedRoot: { previousRootPem: this.currentRootPem, rootPem: this.newRootPem, mountPath: this.nextRoot.mountPath, commonName: this.nextRoot.commonName },
    };
  }

  /** Every file `synth()` writes, by path relative to the plan's folder. */
  public renderOutput(): GeneratedFile[] {
    const files: GeneratedFile[] = [];
    this.stepFleets.forEach((f, k) => files.push(...stackFiles(f.stack, this.id).map((x) => ({ ...x, path: `${this.folders[k]}/${x.path}` }))));
    if (this.clusterPlan) files.push(...this.clusterPlan.renderOutput().filter((x) => x.path !== 'ROTATION.md'));
    files.push({ path: 'ROTATION.md', content: this.renderPlan() });
    return files;
  }

  /** Writes every step folder and ROTATION.md at once, replacing the previous plan's files (and only those). */
  public synth(): void {
    writeOutputTree(this.outdir, this.renderOutput());
  }

  /** ROTATION.md: the Vault side of each step, then the clusters' steps. */
  public renderPlan(): string {
    const tf = `terraform/${this.id}/`;
    const lines = [
      '# Vault fleet root rotation (generated by istio-custom-ca)',
      '',
      `The fleet \`${this.id}\` moves from its current root to a new root generated in Vault mount \`${this.nextRoot.mountPath}\`.`,
      `Every step folder holds \`${tf}\`: the fleet's Terraform stack in that step, on the fleet's own state. Apply it`,
      'first (`terraform init && terraform apply`), then the clusters\' files of the step. It refuses to apply when',
      '`currentRootPem` or `newRootPem` is not the root in Vault.',
      '',
      `## 0. Add the next root (\`${ADD_NEXT_ROOT}/\`)`,
      '',
      `Apply \`${ADD_NEXT_ROOT}/${tf}\`: it adds the new root in \`${this.nextRoot.mountPath}\` and, for each istio-csr or Kubernetes`,
      'CSR cluster, an intermediate mount `pki_int_<name>_next` under it with the same leaf role (a Kubernetes CSR cluster\'s',
      'policy grants both paths from here on). Nothing changes in the clusters, and nothing signs under the new root yet.',
      '',
    ];
    if (!this.clusterPlan) {
      lines.push('Then `terraform output -raw istio_next_root_ca_pem` gives the new root (public). Set it as `newRootPem` and synthesize',
        'the plan again: it then holds every step.', '');
      return lines.join('\n');
    }
    const csr = this.fleet.clusters.filter((c) => c.route === VaultPkiRoute.LEAVES_FOR_ISTIO_CSR).map((c) => `\`${c.name}\``);
    if (csr.length) {
      lines.push(`istio-csr clusters (${csr.join(', ')}): from step 1, istio-csr reads the roots from the trust-manager Bundle`,
        `\`${FLEET_ROOTS_BUNDLE}\` (both roots, then the new one): install trust-manager in them before step 1. The root ConfigMap they`,
        'read before is unused from then on.', '');
    }
    lines.push('In the step of a plug-in CA or istio-csr cluster, Terraform moves that cluster\'s sign policy to the new root, as',
      'its issuer\'s path moves in its files; a Kubernetes CSR cluster moves to its second issuer in its files only. The other',
      'steps change no Vault object.', '',
      'After the last step, make it the fleet\'s own config: add `rotatedRoot` (as `completedFleetProps()` gives it) to the',
      'fleet\'s props. The fleet then synthesizes what the last step holds; without it, it would go back to the old root.', '');
    const clusters = this.clusterPlan.renderPlan().split('\n');
    return [...lines, ...clusters.slice(1)].join('\n');
  }
}

/** Builds one cluster of the fleet in a phase: its config with the phase settings, its Vault side in a stack of its own. */
class VaultFleetClusterBuilder implements IRotationPhaseBuilder {
  public readonly integration: CaIntegrationType;

  public constructor(private readonly fleet: MeshFleetProps, private readonly id: string, private readonly cluster: MeshFleetClusterProps,
    private readonly index: number, private readonly model: FleetClusterModel, private readonly rotation: FleetRotationState) {
    this.integration = ROUTE_INTEGRATION[cluster.route];
  }

  public buildPhase(app: MeshApp, phase: RotationPhase): IstioCustomCa {
    const config = fleetClusterConfig(this.fleet, this.id, this.cluster, this.index, this.model, phase);
    // The cluster's files only: its Vault side is the step fleet's (same config), built here to cross-check the issuer.
    const stack = new TerraformStack(new TfApp({ outdir: tmpdir(), skipValidation: true }), this.id);
    const roots = renderFleetRoots(stack, this.fleet, this.rotation);
    return buildFleetCluster(app, config, stack, roots, this.cluster.name, this.fleet.alerts ?? true).istioCa;
  }
}
