import { dirname, join } from 'node:path';
import { Chart } from 'cdk8s';
import { CaIntegration } from './k8s/ca-integration';
import { IstioCustomCa } from './k8s/istio-custom-ca';
import { OutputFile, OutputFolder } from './k8s/output-file';
import { MeshApp } from './mesh-app';
import { defaultTerraformStateDir, GeneratedFile } from './output-tree';
import { builderIntegration, checkedPhaseOutputs, planWaits, rootChangeRoots, writePlan } from './plan-output';
import { humanDuration } from './model/durations';
import { check, deepTokenProblem, fail } from './model/errors';
import { CaIntegrationType, INTEGRATION_TRAITS } from './model/integration-traits';
import { ADOPTION_PHASES, RotationWaits } from './model/rotation';
import { IRotationPhaseBuilder, RotationPhase } from './root-ca-rotation';
import { RotationObservation } from './rotation-evidence';
import { PhasePreconditions, planPreconditions, preconditionChecks } from './rotation-preconditions';

const NAME = 'AdoptEnterpriseCa';

/** The restart token of phase 2: istiod running its self-signed CA never watches `cacerts` (istio/istio#57853). */
const ADOPT_RESTART_TOKEN = 'adopt-enterprise-ca-2';

/** Props of `AdoptEnterpriseCa`. */
export interface AdoptEnterpriseCaProps {
  /**
   * PEM of the root istiod's self-signed CA uses now (public certificate only): `kubectl -n istio-system get configmap
   * istio-ca-root-cert -o jsonpath='{.data.root-cert\.pem}'`.
   */
  readonly selfSignedRootPem: string;
  /** PEM of your enterprise root, which the integration's issuer chains to. */
  readonly enterpriseRootPem: string;
  /**
   * Builds the mesh of phases 2 and 3 for the integration you adopt (the same builder as for `RootCaRotation`: the
   * phase settings say which root to issue from, which roots to trust, and the istiod restart). Phase 1 is built by
   * the plan: istiod keeps its self-signed CA, so none of the integration may be in it.
   */
  readonly builder: IRotationPhaseBuilder;
  /**
   * Output folder of the plan: one folder per phase (each a full `MeshApp` output) and ADOPT.md.
   * @default 'dist/adopt'
   */
  readonly outdir?: string;
}

/**
 * Moves a running mesh from istiod's self-signed CA to your enterprise CA without a failed handshake, as ordered
 * GitOps commits: trust both roots (pushed over PCDS while istiod still signs), plug the CA in with an istiod restart,
 * drop the self-signed root. The waits are computed from the lifetimes; each phase's files are read back and checked.
 * For the plug-in CA (cert-manager or manual) and the Kubernetes CSR route; istio-csr is refused (its CA address
 * moves with each workload's restart, which these phases do not model).
 */
export class AdoptEnterpriseCa {
  /** The phase settings, in order (phase 1's are what the plan itself built). */
  public readonly phases: RotationPhase[];
  /** One app per phase. */
  public readonly apps: MeshApp[];
  /** The CA of each phase (phase 1: istiod's self-signed CA with the extra trust). */
  public readonly cas: IstioCustomCa[];
  /** Minimum waits after phases 1 and 2. */
  public readonly waits: RotationWaits;
  /** The integration adopted. */
  public readonly integration: CaIntegrationType;
  /** The plan's folder. */
  public readonly outdir: string;
  /**
   * What each phase's generated files make the mesh do (read back from the files).
   * @internal
   */
  public readonly _observation: RotationObservation;

  public constructor(props: AdoptEnterpriseCaProps) {
    check(NAME, deepTokenProblem(props));
    this.outdir = props.outdir ?? join('dist', 'adopt');
    const [a, b] = rootChangeRoots(NAME, ['selfSignedRootPem', props.selfSignedRootPem], ['enterpriseRootPem', props.enterpriseRootPem]);
    this.integration = builderIntegration(NAME, props.builder);
    const traits = INTEGRATION_TRAITS[this.integration];
    if (!traits.trustInMeshConfig) {
      fail(NAME, `'builder.integration' (${this.integration}) cannot be adopted by this plan yet: istio-csr moves each workload's CA ` +
        "address only when the workload restarts, while istiod's CA server must stay on for the others; adopt a plug-in CA or the " +
        'Kubernetes CSR route, or move to istio-csr in a maintenance window');
    }
    this.phases = ADOPTION_PHASES.map((p, i) => ({
      phase: i + 1, folder: p.folder, title: p.title, issueFromNew: i >= 1,
      trustedRootsPem: i === 2 ? [b] : [a, b],
      additionalTrustedRootsPem: i === 2 ? [] : [a, b],
      multiRoot: true,
      // A self-signed istiod reads cacerts only when it starts (the fsnotify watcher exists only for a plug-in CA).
      istiodRestartToken: traits.istiodPluginCa && i >= 1 ? ADOPT_RESTART_TOKEN : undefined,
    }));
    const app = (i: number) => new MeshApp({ outdir: join(this.outdir, this.phases[i].folder), terraformStateDir: defaultTerraformStateDir(dirname(this.outdir)) });
    const apps = [app(0), app(1), app(2)];
    const second = props.builder.buildPhase(apps[1], this.phases[1]);
    const third = props.builder.buildPhase(apps[2], this.phases[2]);
    const first = this.selfSignedPhase(apps[0], second);
    this.apps = apps;
    this.cas = [first, second, third];
    for (const ca of [second, third]) {
      if (ca.integration.type !== this.integration) {
        fail(NAME, `'builder.integration' (${this.integration}) differs from the integration the builder built (${ca.integration.type}); ` +
          'declare the integration every phase uses');
      }
    }
    this.waits = planWaits(this.cas, true);
    this._observation = this.checkedOutputs().observation;
  }

  /** Phase 1: the mesh as it runs (istiod's self-signed CA), with both roots in `meshConfig.caCertificates` and PCDS. */
  private selfSignedPhase(app: MeshApp, like: IstioCustomCa): IstioCustomCa {
    const p = this.phases[0];
    // The manual plug-in integration writes only Istio's side; without a cacerts Secret istiod keeps its self-signed CA.
    const ca = new IstioCustomCa(new Chart(app, 'mesh'), 'istio', {
      integration: CaIntegration.manualPluginCa(),
      istioVersion: like.istioVersion, trustDomain: like.trustDomain, istioNamespace: like.istioNamespace, ambient: like.ambient,
      workloadCertTtl: like.workloadCertTtl, gracePeriodRatio: like.gracePeriodRatio, gracePeriodRatioJitter: like.gracePeriodRatioJitter,
      maxWorkloadCertTtl: like.maxWorkloadCertTtl,
      additionalTrustedRootsPem: p.additionalTrustedRootsPem, multiRoot: p.multiRoot,
    });
    // Its notes would say to create cacerts: in this phase that is exactly what must not happen yet.
    ca.node.tryRemoveChild('Notes');
    new OutputFile(ca, 'Notes', OutputFolder.INSTALL, 'NOTES.md', 'install notes', { produce: () => this.phaseOneNotes(ca) });
    return ca;
  }

  private phaseOneNotes(ca: IstioCustomCa): string {
    return [
      '# Phase 1 of adopting an enterprise CA (generated by istio-custom-ca)',
      '',
      `istiod keeps signing with its self-signed CA. This install config adds the enterprise root beside it in`,
      '`meshConfig.caCertificates` and turns on `ISTIO_MULTIROOT_MESH` (istiod) and `PROXY_CONFIG_XDS_AGENT` (proxies), so',
      'istiod pushes both roots to every proxy over PCDS.',
      '',
      `- Apply with \`istioctl install -f install/istio-operator.yaml\` or \`helm upgrade istiod istio/istiod -n ${ca.istioNamespace} -f install/istiod-values.yaml\`.`,
      '- Do **not** create the `cacerts` Secret (or anything that writes it) in this phase: istiod would switch to it at its',
      '  next restart (a node drain is enough), before every proxy trusts the enterprise root.',
      '- Restart every meshed workload once (`kubectl rollout restart deployment -n <namespace>`), so proxies run with',
      '  `PROXY_CONFIG_XDS_AGENT`.',
      '',
    ].join('\n');
  }

  /** Every phase rendered and read back; a self-signed istiod takes a plug-in CA only when it restarts. */
  private checkedOutputs(): { files: GeneratedFile[][]; observation: RotationObservation } {
    return checkedPhaseOutputs(NAME, this.apps, this.phases, this.integration, INTEGRATION_TRAITS[this.integration].istiodPluginCa);
  }

  /** What must be true before each phase is applied (written as `<folder>/preconditions.json`). */
  public preconditions(): PhasePreconditions[] {
    // Phase 1 always turns PCDS on: its wait runs from the restart that gives every proxy PROXY_CONFIG_XDS_AGENT.
    return planPreconditions(this.phases, this._observation.phases, this.waits, true, INTEGRATION_TRAITS[this.integration]);
  }

  /** Writes every phase folder, their preconditions and ADOPT.md at once, replacing the previous plan's files (and only those). */
  public synth(): void {
    writePlan(this.outdir, this.apps, this.checkedOutputs().files, this.preconditions(), { path: 'ADOPT.md', content: this.renderPlan() });
  }

  /** ADOPT.md: the phases, the minimum wait before each, the restarts and the checks that show a phase is complete. */
  public renderPlan(): string {
    const ca = this.cas[1];
    const ns = ca.istioNamespace;
    const plugin = INTEGRATION_TRAITS[this.integration].istiodPluginCa;
    const [p1, p2, p3] = this.phases;
    return [
      '# Adopting an enterprise CA in a running mesh (generated by istio-custom-ca)',
      '',
      `From istiod's self-signed CA to ${this.integration}; Istio ${ca.istioVersion}; workload certificates ` +
        `${humanDuration(ca.workloadCertTtl.toMilliseconds())}, renewed at ${ca.gracePeriodRatio} of their life left.`,
      'Apply each folder as one GitOps commit, in order; never skip a wait. Plugging the new CA in and restarting istiod in',
      'one step breaks every connection between a workload that already has a certificate from the new root and one that',
      'still trusts only the self-signed root, until every workload has renewed.',
      '',
      '| Phase | Folder | Minimum wait before the next phase |',
      '|---|---|---|',
      `| 1 | \`${p1.folder}/\` | ${humanDuration(this.waits.afterTrustBothMs)} after every workload was restarted once |`,
      `| 2 | \`${p2.folder}/\` | ${humanDuration(this.waits.afterIssueFromNewMs)} |`,
      `| 3 | \`${p3.folder}/\` | done |`,
      '',
      `## 1. ${p1.title}`,
      '',
      '- Install config only (see its `install/NOTES.md`): both roots in `meshConfig.caCertificates`, multi-root and PCDS on.',
      `- Before: \`kubectl -n ${ns} logs deploy/istiod | grep "Use self-signed certificate as the CA certificate"\` shows the mesh you adopt from.`,
      '- Restart every meshed workload once, then wait.',
      '- Check: `istioctl proxy-config secret <pod> -n <ns>` lists ROOTCA with both roots for sampled pods (commands below).',
      '',
      `## 2. ${p2.title}`,
      '',
      plugin
        ? `- The \`cacerts\` Secret appears${INTEGRATION_TRAITS[this.integration].intermediateRenewedByCertManager ? ' (cert-manager issues it from the enterprise issuer)' : ' (you create it out of band now, with an intermediate under the enterprise root)'};` +
          ' the pod annotation `istio-custom-ca.io/restart` restarts istiod, which reads `cacerts` only when it starts (istio/istio#57853).'
        : '- istiod becomes a registration authority for the Kubernetes CSR API; its Deployment changes, so it restarts.',
      plugin
        ? `- Check: \`kubectl -n ${ns} logs deploy/istiod | grep -E "Use local CA certificate|Using kubernetes.io/tls secret type"\`; metric \`citadel_server_root_cert_expiry_seconds\` now gives the enterprise root's expiry.`
        : `- Check: \`kubectl get csr\` shows approved requests for the signer; istiod logs no signing errors.`,
      `- Wait at least ${humanDuration(this.waits.afterIssueFromNewMs)}: one workload lifetime plus jitter, so that no leaf from the self-signed root is left.`,
      '',
      `## 3. ${p3.title}`,
      '',
      '- The self-signed root leaves `meshConfig.caCertificates`; istiod pushes the enterprise root alone.',
      `- Check: \`kubectl -n ${ns} get configmap istio-ca-root-cert -o yaml\` holds only the enterprise root; no \`IstioWorkloadCsrFailures\` alert.`,
      `- The old \`istio-ca-secret\` in \`${ns}\` holds the self-signed root's key: delete it once nothing trusts that root.`,
      '',
      ...preconditionChecks(),
    ].join('\n');
  }
}
