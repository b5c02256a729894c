import { dirname, join } from 'node:path';
import { IstioCustomCa } from './k8s/istio-custom-ca';
import { MeshApp } from './mesh-app';
import { defaultTerraformStateDir, GeneratedFile, nestedOutput, writeOutputTree } from './output-tree';
import { builderIntegration, checkedPhaseOutputs, planWaits, rootChangeRoots } from './plan-output';
import { humanDuration } from './model/durations';
import { check, deepTokenProblem, fail } from './model/errors';
import { clusterNameProblem } from './model/fleet';
import { ClusterPhase, FleetClusterState, fleetRotationSteps, fleetStepProblems } from './model/fleet-rotation';
import { CaIntegrationType, INTEGRATION_TRAITS } from './model/integration-traits';
import { RotationWaits } from './model/rotation';
import { IRotationPhaseBuilder, RootCaRotation, RotationPhase } from './root-ca-rotation';
import { ObservedPhase } from './rotation-evidence';
import { gateAlerts, phaseState, preconditionChecks, preconditionRoot, PreconditionRoot, preconditionTime, PreconditionTime } from './rotation-preconditions';

const NAME = 'FleetRootRotation';

/** Version of a fleet step's `preconditions.json`, written into every file. */
export const FLEET_PRECONDITIONS_SCHEMA = 'istio-custom-ca.io/fleet-step-preconditions/v1';

/** One cluster of a fleet root rotation. */
export interface FleetRotationClusterProps {
  /** Cluster name: the folder `<step>/clusters/<name>/`. */
  readonly name: string;
  /** Builds this cluster's mesh for each single-cluster phase (as for `RootCaRotation`). */
  readonly builder: IRotationPhaseBuilder;
}

/** Props of `FleetRootRotation`. */
export interface FleetRootRotationProps {
  /** PEM of the root every cluster uses now (A). */
  readonly currentRootPem: string;
  /** PEM of the new root (B). */
  readonly newRootPem: string;
  /** The clusters, in the order they move to the new root. */
  readonly clusters: FleetRotationClusterProps[];
  /**
   * Output folder of the plan: one folder per step, each holding every cluster's full output, and ROTATION.md.
   * @default 'dist/fleet-rotation'
   */
  readonly outdir?: string;
}

/** One cluster as the plan built it: its mesh in each single-cluster phase. */
export interface FleetRotationCluster {
  readonly name: string;
  readonly integration: CaIntegrationType;
  /** The phase settings handed to the builder (1, 2, 3). */
  readonly phases: RotationPhase[];
  /** The app of each phase. */
  readonly apps: MeshApp[];
  /** The CA of each phase. */
  readonly cas: IstioCustomCa[];
  /** This cluster's minimum waits (after trusting both roots, after issuing from the new one). */
  readonly waits: RotationWaits;
}

/** A cluster's single-cluster phase in one step. */
export interface FleetRotationStepCluster {
  readonly name: string;
  /** 1 (trusts both, issues from A), 2 (issues from B) or 3 (trusts only B). */
  readonly phase: number;
}

/** One step of the plan: one GitOps commit. */
export interface FleetRotationStep {
  /** 1-based. */
  readonly step: number;
  /** Output folder, e.g. `2-1-issue-from-new-east`. */
  readonly folder: string;
  readonly title: string;
  /** Each cluster's phase, in the order of the clusters. */
  readonly clusters: FleetRotationStepCluster[];
  /** Clusters whose files change in this step (apply this step's folder to them). */
  readonly changes: string[];
  /**
   * The cluster that starts issuing from the new root in this step.
   * @default - none (the first and the last step change every cluster)
   */
  readonly moves?: string;
  /** Minimum wait after this step before the next one (ms); 0 after the last. */
  readonly minWaitAfterMs: number;
  /** That wait counts from the last workload restart in the changed clusters (trust pushed over PCDS needs one). */
  readonly waitFromLastWorkloadRestart: boolean;
}

/** One cluster's state before a step: what every workload must trust and chain to. */
export interface FleetClusterPreconditions {
  readonly name: string;
  readonly everyWorkloadTrusts: PreconditionRoot[];
  readonly everyWorkloadCertificateChainsTo: PreconditionRoot;
  /** Alerts (of `CertAlertRules` for this cluster's integration) that must not be firing. */
  readonly silentAlerts: string[];
}

/** What must be true before one step folder is applied (`<folder>/preconditions.json`). */
export interface FleetStepPreconditions {
  /** Always `FLEET_PRECONDITIONS_SCHEMA`. */
  readonly schema: string;
  readonly step: number;
  readonly folder: string;
  readonly notBefore: PreconditionTime;
  /** Every cluster, since a step is safe only when the whole fleet is where the previous step left it. */
  readonly clusters: FleetClusterPreconditions[];
}

/**
 * A zero-downtime root change A → B across a multi-cluster mesh, as ordered GitOps commits: every cluster trusts A
 * and B; then the clusters move to issuing from B one at a time, each waiting until its workloads hold only leaves
 * from B; then every cluster drops A. Cross-cluster mTLS needs every cluster to trust a root before any cluster
 * issues from it, so no cluster may move before the whole fleet trusts B. Each step folder holds every cluster's
 * full output; each cluster's files are read back and the fleet's trust checked across clusters at every step.
 */
export class FleetRootRotation {
  /** The plan's folder. */
  public readonly outdir: string;
  /** The clusters, in the order they move. */
  public readonly clusters: FleetRotationCluster[];
  /** The steps, in order. */
  public readonly steps: FleetRotationStep[];
  /** What each cluster's files make it do in each phase (read back from the files; index: cluster, then phase 1-3). */
  private observed: ObservedPhase[][] = [];
  private readonly roots: [string, string];

  public constructor(props: FleetRootRotationProps) {
    check(NAME, deepTokenProblem(props));
    this.outdir = props.outdir ?? join('dist', 'fleet-rotation');
    this.roots = rootChangeRoots(NAME, ['currentRootPem', props.currentRootPem], ['newRootPem', props.newRootPem]);
    if (!Array.isArray(props.clusters) || props.clusters.length < 2) {
      fail(NAME, `'clusters' (${Array.isArray(props.clusters) ? `${props.clusters.length} cluster(s)` : String(props.clusters)}) must list at least two ` +
        'clusters; for one cluster use RootCaRotation');
    }
    const names = new Set<string>();
    props.clusters.forEach((c, i) => {
      check(NAME, clusterNameProblem(`clusters[${i}].name`, c?.name));
      if (names.has(c.name)) fail(NAME, `'clusters[${i}].name' (${c.name}) names an earlier cluster; each cluster appears once`);
      names.add(c.name);
    });
    // Every cluster is built once per single-cluster phase; the steps place those outputs.
    const stateDir = defaultTerraformStateDir(dirname(this.outdir));
    this.clusters = props.clusters.map((c, i) => this.cluster(c, i, stateDir));
    this.steps = this.plannedSteps();
    this.checkedFiles();
  }

  /**
   * Every cluster's phases rendered and read back (refused when a cluster's output breaks its phase), and the fleet's
   * trust checked across clusters at every step. Run at construction and again at synth: the apps are public and may
   * have gained constructs since. Returns each cluster's files per phase.
   */
  private checkedFiles(): GeneratedFile[][][] {
    const checked = this.clusters.map((c) => checkedPhaseOutputs(`${NAME}: cluster '${c.name}'`, c.apps, c.phases, c.integration));
    this.observed = checked.map((x) => x.observation.phases);
    const states = this._stepStates();
    const problems = fleetStepProblems(this.clusters.map((c, i) => this.stateOf(c.name, i, 0)),
      this.steps.map((s, k) => ({ folder: s.folder, clusters: states[k] })));
    if (problems.length) fail(NAME, `the clusters' outputs break cross-cluster mTLS: ${problems.join('; ')}`);
    return checked.map((x) => x.files);
  }

  private cluster(c: FleetRotationClusterProps, i: number, stateDir: string): FleetRotationCluster {
    const who = `${NAME}: cluster '${c.name}'`;
    const integration = builderIntegration(`${NAME}: clusters[${i}]`, c.builder);
    const phases = RootCaRotation.phaseSettings(integration, ...this.roots);
    // Only the depth of an app's folder reaches its output (the relative Terraform state path); every step has the same.
    const apps = phases.map((p) => new MeshApp({ outdir: join(this.outdir, p.folder, 'clusters', c.name), terraformStateDir: stateDir }));
    const cas = phases.map((p, k) => c.builder.buildPhase(apps[k], p));
    const other = cas.find((ca) => ca.integration.type !== integration);
    if (other) {
      fail(who, `'builder.integration' (${integration}) differs from the integration the builder built (${other.integration.type}); declare the integration every phase uses`);
    }
    return { name: c.name, integration, phases, apps, cas, waits: planWaits(cas, INTEGRATION_TRAITS[integration].trustInMeshConfig) };
  }

  /** The steps, with the clusters each changes and the wait after it. */
  private plannedSteps(): FleetRotationStep[] {
    const planned = fleetRotationSteps(this.clusters.map((c) => c.name));
    return planned.map((s, k) => {
      const changed = this.clusters.filter((_, i) => s.phases[i] !== (k === 0 ? 0 : planned[k - 1].phases[i]));
      const last = k === planned.length - 1;
      // After trusting both: until every proxy of every cluster trusts B. After a move: until that cluster issued
      // only from B, so each move is checked before the next. The last move's wait also covers dropping A.
      const wait = last ? 0 : s.moves === undefined ? Math.max(...changed.map((c) => c.waits.afterTrustBothMs)) : this.clusters[s.moves].waits.afterIssueFromNewMs;
      return {
        step: k + 1, folder: s.folder, title: s.title,
        clusters: this.clusters.map((c, i) => ({ name: c.name, phase: s.phases[i] })),
        changes: changed.map((c) => c.name),
        moves: s.moves === undefined ? undefined : this.clusters[s.moves].name,
        minWaitAfterMs: wait,
        waitFromLastWorkloadRestart: k === 0 && changed.some((c) => INTEGRATION_TRAITS[c.integration].trustInMeshConfig),
      };
    });
  }

  /** Cluster `i` in `phase` as its files configure it (the phase settings only where the files cannot show it). */
  private stateOf(name: string, i: number, phase: ClusterPhase): FleetClusterState {
    if (phase === 0) return { name, issueFrom: 'A', trust: ['A'] };
    const seen = this.observed[i][phase - 1];
    return { name, ...phaseState(seen, this.clusters[i].phases[phase - 1]), pcds: seen.pcds };
  }

  /**
   * What each cluster's files make it do in each step: the root it issues from and the roots it trusts (read back
   * from the files). Index: step, then cluster.
   * @internal
   */
  public _stepStates(): FleetClusterState[][] {
    return this.steps.map((s) => s.clusters.map((c, i) => this.stateOf(c.name, i, c.phase as ClusterPhase)));
  }

  /** Before each step: the earliest time, and per cluster the roots every workload trusts and chains to, and the alerts that must be silent. */
  public preconditions(): FleetStepPreconditions[] {
    const roots: Record<string, PreconditionRoot> = { A: preconditionRoot('current', this.roots[0]), B: preconditionRoot('new', this.roots[1]) };
    const states = this._stepStates();
    return this.steps.map((s, k) => {
      const prev = k === 0 ? undefined : this.steps[k - 1];
      return {
        schema: FLEET_PRECONDITIONS_SCHEMA,
        step: s.step,
        folder: s.folder,
        notBefore: preconditionTime(prev?.folder, prev?.minWaitAfterMs ?? 0, prev?.waitFromLastWorkloadRestart ?? false),
        clusters: this.clusters.map((c, i) => {
          const before = k === 0 ? this.stateOf(c.name, i, 0) : states[k - 1][i];
          return {
            name: c.name,
            everyWorkloadTrusts: before.trust.filter((r) => r in roots).map((r) => roots[r]),
            everyWorkloadCertificateChainsTo: roots[before.issueFrom],
            silentAlerts: gateAlerts(INTEGRATION_TRAITS[c.integration]),
          };
        }),
      };
    });
  }

  /** Every file `synth()` writes, by path relative to the plan's folder. */
  public renderOutput(): GeneratedFile[] {
    const files: GeneratedFile[] = [];
    const byCluster = this.checkedFiles();
    const pre = this.preconditions();
    this.steps.forEach((s, k) => {
      s.clusters.forEach((c, i) => files.push(...nestedOutput(`${s.folder}/clusters/${c.name}`, byCluster[i][c.phase - 1])));
      files.push({ path: `${s.folder}/preconditions.json`, content: `${JSON.stringify(pre[k], undefined, 2)}\n` });
    });
    files.push({ path: 'ROTATION.md', content: this.renderPlan() });
    return files;
  }

  /** Writes every step folder and ROTATION.md at once, replacing the previous plan's files (and only those). */
  public synth(): void {
    writeOutputTree(this.outdir, this.renderOutput());
  }

  /** ROTATION.md: the steps in order, what changes where, the minimum wait after each, and how to check a step. */
  public renderPlan(): string {
    const lines = [
      '# Fleet root rotation plan (generated by istio-custom-ca)',
      '',
      'Clusters, in the order they move to the new root:',
      '',
      ...this.clusters.map((c) => `- \`${c.name}\`: ${c.integration}, Istio ${c.cas[0].istioVersion}, workload certificates ` +
        `${humanDuration(Math.max(...c.cas.map((ca) => ca.workloadCertTtl.toMilliseconds())))}`),
      '',
      'Each step is one GitOps commit: `<step>/clusters/<name>/` is the whole output of cluster `<name>` in that step (point',
      "each cluster's Argo CD Application or Flux Kustomization at it). Only the clusters under \"Changes\" differ from the",
      'previous step. Apply the steps in order and never skip a wait: a cluster may issue from the new root only once every',
      'cluster trusts it, and the old root may go only once no cluster issues from it (docs/reference.md §6).',
      '',
      '| Step | Folder | Changes | Minimum wait before the next step |',
      '|---|---|---|---|',
      ...this.steps.map((s) => `| ${s.step} | \`${s.folder}/\` | ${s.changes.join(', ')} | ${s.minWaitAfterMs === 0 ? 'done'
        : `${humanDuration(s.minWaitAfterMs)}${s.waitFromLastWorkloadRestart ? ' after the last workload restart' : ''}`} |`),
      '',
    ];
    for (const s of this.steps) lines.push(...this.stepSection(s));
    lines.push(...preconditionChecks({ schema: FLEET_PRECONDITIONS_SCHEMA }));
    return lines.join('\n');
  }

  /** A step's section of ROTATION.md: what each changed cluster does, and the wait after it. */
  private stepSection(s: FleetRotationStep): string[] {
    const lines = [`## ${s.step}. ${s.title}`, ''];
    for (const name of s.changes) {
      const i = this.clusters.findIndex((c) => c.name === name);
      const c = this.clusters[i];
      const phase = s.clusters[i].phase;
      const ca = c.cas[phase - 1];
      const how = phase === 1 ? (INTEGRATION_TRAITS[c.integration].trustInMeshConfig
        ? 'both roots in `meshConfig.caCertificates`, pushed over PCDS; restart every workload once (`kubectl rollout restart`)'
        : 'the pinned root bundle holds both roots; proxies get it with their next certificate')
        : phase === 2 ? 'the issuer switches to the new root; both roots stay trusted' : 'the old root leaves the trust bundle';
      lines.push(`- \`${name}\` (apply \`${s.folder}/clusters/${name}/\`): ${how}.`);
      // The integration's own steps of phases 1 and 2, as in RootCaRotation's runbook; phase 3 is the files alone.
      if (phase < 3) lines.push(...ca.integration._variant().rotationSteps(phase, ca._mesh).map((l) => `  ${l}`));
    }
    if (s.minWaitAfterMs > 0) {
      lines.push(`- Wait at least ${humanDuration(s.minWaitAfterMs)}${s.waitFromLastWorkloadRestart ? ' after the last workload restart' : ''}: ` +
        (s.moves === undefined ? 'every proxy of every cluster trusts both roots.' : `every workload certificate in \`${s.moves}\` chains to the new root.`));
    }
    lines.push('');
    return lines;
  }
}
