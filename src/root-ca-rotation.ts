import { dirname, join } from 'node:path';
import { CaIntegrationType, INTEGRATION_TRAITS } from './model/integration-traits';
import { IstioCustomCa } from './k8s/istio-custom-ca';
import { MeshApp } from './mesh-app';
import { defaultTerraformStateDir, GeneratedFile } from './output-tree';
import { builderIntegration, checkedPhaseOutputs, planWaits, rootChangeRoots, writePlan } from './plan-output';
import { humanDuration } from './model/durations';
import { check, deepTokenProblem, fail } from './model/errors';
import { normalisePem } from './model/pem';
import { ROTATION_PHASES, RotationWaits } from './model/rotation';
import { RotationObservation } from './rotation-evidence';
import { PhasePreconditions, planPreconditions, preconditionChecks } from './rotation-preconditions';

const NAME = 'RootCaRotation';

/** What one phase of the staged plan asks of the mesh configuration (docs/reference.md §6). */
export interface RotationPhase {
  /** 1, 2 or 3. */
  readonly phase: number;
  /** Output folder name, e.g. `1-trust-both`. */
  readonly folder: string;
  /** One-line title. */
  readonly title: string;
  /** Sign with the new root's issuer (phases 2 and 3) or the current one (phase 1). */
  readonly issueFromNew: boolean;
  /** The roots every workload must trust in this phase (current first, as 1.20–1.29 byte-append needs). */
  readonly trustedRootsPem: string[];
  /**
   * Plug-in CA / Kubernetes CSR: roots to pass as `IstioCustomCa.additionalTrustedRootsPem`, and `multiRoot: true`.
   * Empty for istio-csr, whose `rootCaBundle` must hold `trustedRootsPem`.
   */
  readonly additionalTrustedRootsPem: string[];
  /** Pass as `IstioCustomCa.multiRoot`. */
  readonly multiRoot: boolean;
  /** Pass as `IstioCustomCa.istiodRestartToken` (phase 2 of the cert-manager plug-in CA restarts istiod, §6.2). */
  readonly istiodRestartToken?: string;
}

/** Builds the whole mesh configuration of one phase into `app` and returns its `IstioCustomCa`. */
export interface IRotationPhaseBuilder {
  /** The integration every phase uses; the plan's phase settings depend on it, so it is declared, not discovered. */
  readonly integration: CaIntegrationType;
  /** Builds one phase's mesh into `app` from the phase settings, and returns its `IstioCustomCa`. */
  buildPhase(app: MeshApp, phase: RotationPhase): IstioCustomCa;
}

/** Props of `RootCaRotation`. */
export interface RootCaRotationProps {
  /** PEM of the root in use now (A). */
  readonly currentRootPem: string;
  /** PEM of the new root (B). */
  readonly newRootPem: string;
  /** Builds each phase's configuration; it switches issuers when `issueFromNew` is set. */
  readonly builder: IRotationPhaseBuilder;
  /**
   * Output folder of the plan: one folder per phase (each a full `MeshApp` output) and ROTATION.md.
   * @default 'dist/rotation'
   */
  readonly outdir?: string;
}

/**
 * A zero-downtime root rotation as ordered GitOps commits (docs/reference.md §6: trust A+B → issue from B → drop
 * A), with the minimum wait before each phase computed from the configured lifetimes. Each phase folder holds the
 * full manifests and install config of that phase.
 */
export class RootCaRotation {
  /** The phases, in order. */
  public readonly phases: RotationPhase[];
  /** One app per phase. */
  public readonly apps: MeshApp[];
  /** The CA of each phase. */
  public readonly cas: IstioCustomCa[];
  /** Minimum waits after phases 1 and 2. */
  public readonly waits: RotationWaits;
  /** The integration rotated. */
  public readonly integration: CaIntegrationType;
  /** The plan's folder. */
  public readonly outdir: string;
  /**
   * What each phase's generated files make the mesh do (read back from the files, not from the phase settings).
   * @internal
   */
  public readonly _observation: RotationObservation;

  public constructor(props: RootCaRotationProps) {
    // No cdktf token may reach a manifest through any string prop (Issue 11).
    check(NAME, deepTokenProblem(props));
    this.outdir = props.outdir ?? join('dist', 'rotation');
    const [a, b] = rootChangeRoots(NAME, ['currentRootPem', props.currentRootPem], ['newRootPem', props.newRootPem]);

    // The builder declares its integration; each phase is built exactly once.
    this.integration = builderIntegration(NAME, props.builder);
    const built = RootCaRotation.phaseSettings(this.integration, a, b).map((p) => this.build(props.builder, p));
    this.phases = built.map((x) => x.phase);
    this.apps = built.map((x) => x.app);
    this.cas = built.map((x) => x.ca);
    this.waits = planWaits(this.cas, INTEGRATION_TRAITS[this.integration].trustInMeshConfig);
    for (const ca of this.cas) {
      if (ca.integration.type !== this.integration) {
        fail(NAME, `'builder.integration' (${this.integration}) differs from the integration the builder built (${ca.integration.type}); ` +
          'declare the integration every phase uses');
      }
    }
    this._observation = this.checkedOutputs().observation;
  }

  /** Every phase rendered and read back (refused when a phase breaks its invariant). */
  private checkedOutputs(): { files: GeneratedFile[][]; observation: RotationObservation } {
    return checkedPhaseOutputs(NAME, this.apps, this.phases, this.integration);
  }

  /**
   * The settings each phase hands the builder, for `integration` and roots A (current) and B (new), in order. The
   * plan checks what the builder makes of them; this is what it asks.
   */
  public static phaseSettings(integration: CaIntegrationType, currentRootPem: string, newRootPem: string): RotationPhase[] {
    const a = normalisePem(currentRootPem);
    const b = normalisePem(newRootPem);
    return ROTATION_PHASES.map((p) => RootCaRotation.settingsOf(p.id, integration, a, b));
  }

  private static settingsOf(id: number, type: CaIntegrationType, a: string, b: string): RotationPhase {
    const p = ROTATION_PHASES[id - 1];
    const trusted = id === 3 ? [b] : [a, b];
    const traits = INTEGRATION_TRAITS[type];
    const pluginLike = traits.trustInMeshConfig;
    return {
      phase: id,
      folder: p.folder,
      title: p.title,
      issueFromNew: id >= 2,
      trustedRootsPem: trusted,
      additionalTrustedRootsPem: pluginLike ? (id === 3 ? [] : [a, b]) : [],
      multiRoot: pluginLike,
      // cert-manager replaces ca.crt with the new root; istiod refuses a non-subset root change at runtime (§6.2).
      istiodRestartToken: traits.restartIstiodOnRootChange && id >= 2 ? 'root-rotation-2' : undefined,
    };
  }

  private build(builder: IRotationPhaseBuilder, phase: RotationPhase) {
    // Every phase applies to the state of the main output (a MeshApp whose root holds this plan's folder).
    const app = new MeshApp({ outdir: join(this.outdir, phase.folder), terraformStateDir: defaultTerraformStateDir(dirname(this.outdir)) });
    const ca = builder.buildPhase(app, phase);
    return { app, ca, phase };
  }

  /** Writes every phase folder and ROTATION.md at once, replacing the previous plan's files (and only those). */
  public synth(): void {
    // One tree for the whole plan: all phases or none, and only files a previous run wrote are removed.
    // Rendered again: the phase apps are public and may have gained constructs since the plan was built.
    writePlan(this.outdir, this.apps, this.checkedOutputs().files, this.preconditions(), { path: 'ROTATION.md', content: this.renderPlan() });
  }

  /**
   * What must be true before each phase is applied (written as `<folder>/preconditions.json`): the earliest time after
   * the previous phase, the roots every workload must trust, the root every workload certificate must chain to, and
   * the alerts that must be silent. Trust and signer are those the generated files configure.
   */
  public preconditions(): PhasePreconditions[] {
    const traits = INTEGRATION_TRAITS[this.integration];
    // With PCDS the first wait runs from the restart that gives every proxy PROXY_CONFIG_XDS_AGENT.
    return planPreconditions(this.phases, this._observation.phases, this.waits, traits.trustInMeshConfig, traits);
  }

  /** ROTATION.md: the phases, the minimum wait before each, and the checks that show a phase is complete. */
  public renderPlan(): string {
    const ca = this.cas[0];
    const ttl = ca.workloadCertTtl.toMilliseconds();
    const ns = ca.istioNamespace;
    const plugin = INTEGRATION_TRAITS[this.integration].trustInMeshConfig;
    const variant = ca.integration._variant();
    const lines = [
      '# Root CA rotation plan (generated by istio-custom-ca)',
      '',
      `Integration: ${this.integration}; Istio ${ca.istioVersion}; workload certificates ${humanDuration(ttl)}, renewed at ` +
        `${ca.gracePeriodRatio} of their life left (jitter ${ca.gracePeriodRatioJitter}).`,
      'Apply each folder as one GitOps commit, in order; never skip a wait. (docs/reference.md §6)',
      'Where a phase folder has `terraform/`, apply it (`terraform init && terraform apply`) before that phase\'s manifests;',
      'the roots\' PEMs given to the plan must be the real ones (public certificates, e.g. from Terraform outputs).',
      '',
      '| Phase | Folder | Minimum wait before the next phase |',
      '|---|---|---|',
      `| 1 | \`${this.phases[0].folder}/\` | ${humanDuration(this.waits.afterTrustBothMs)}${plugin ? ' after every workload was restarted once' : ''} |`,
      `| 2 | \`${this.phases[1].folder}/\` | ${humanDuration(this.waits.afterIssueFromNewMs)} |`,
      `| 3 | \`${this.phases[2].folder}/\` | done |`,
      '',
      'Before applying a folder, check its `preconditions.json` (last section).',
      '',
      `## 1. ${this.phases[0].title}`,
      '',
    ];
    if (plugin) {
      lines.push(
        '- Adds both roots to `meshConfig.caCertificates` and turns on `ISTIO_MULTIROOT_MESH` (istiod) and',
        '  `PROXY_CONFIG_XDS_AGENT` (proxies), so istiod pushes the A+B trust bundle over PCDS.',
        `- After applying: \`kubectl rollout restart deployment -n <each namespace>\` once, so proxies get \`PROXY_CONFIG_XDS_AGENT\`.`,
        `- Wait at least ${humanDuration(this.waits.afterTrustBothMs)} after the last restart (PCDS propagation and checks).`,
      );
      lines.push(...variant.rotationSteps(1, ca._mesh));
    } else {
      lines.push(
        '- The root bundle istio-csr pins (`app.tls.rootCAFile`) holds both roots; istio-csr watches the file and',
        '  rewrites `istio-ca-root-cert`. Proxies receive the bundle with their next certificate.',
        `- Wait at least ${humanDuration(this.waits.afterTrustBothMs)}: one workload certificate lifetime plus jitter, so that every proxy has fetched a certificate since.`,
      );
    }
    lines.push(
      '- Check: `istioctl proxy-config secret <pod> -n <ns> -o json` shows both roots in `ROOTCA` for sampled pods.',
      '',
      `## 2. ${this.phases[1].title}`,
      '',
      '- The issuer switches to the new root; both roots stay trusted.',
    );
    lines.push(...variant.rotationSteps(2, ca._mesh));
    lines.push(
      `- Wait at least ${humanDuration(this.waits.afterIssueFromNewMs)}: one workload certificate lifetime plus jitter, so that no leaf signed under the old root is left.`,
      '- Check: leaf issuers in `istioctl proxy-config secret` chain to the new root; istiod/istio-csr logs show no signing errors.',
      '',
      `## 3. ${this.phases[2].title}`,
      '',
      plugin ? '- The old root leaves `meshConfig.caCertificates`; istiod pushes the B-only bundle.' : '- The pinned bundle holds only the new root.',
      `- Check: no \`IstioWorkloadCsrFailures\` alerts; \`kubectl -n ${ns} get configmap istio-ca-root-cert -o yaml\` holds only the new root.`,
      '',
    );
    lines.push(...preconditionChecks());
    return lines.join('\n');
  }
}
