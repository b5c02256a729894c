import { join } from 'node:path';
import { Chart, Duration } from 'cdk8s';
import { CertAlertRules } from './k8s/cert-alert-rules';
import { FleetIntegration, FleetRoot } from './k8s/fleet-root';
import { IstioCustomCa } from './k8s/istio-custom-ca';
import { applicationSetFile } from './fleet-application-set';
import { FleetClusterProps, FleetProps } from './fleet-props';
import { MeshApp } from './mesh-app';
import { GeneratedFile, nestedOutput, writeOutputTree } from './output-tree';
import { goDuration, lifetimeMs } from './model/durations';
import { check, deepTokenProblem, fail } from './model/errors';
import { LIFETIME_RULES } from './model/lifetime-rules';
import { clusterNameProblem, fleetClusterModels, fleetIdProblem, fleetProblems } from './model/fleet';
import { fleetNotes } from './model/fleet-files';
import { ISTIO_DEFAULTS } from './model/istio-settings';
import { PKI_DEFAULTS } from './model/pki-defaults';

const NAME = 'ClusterFleet';

/** One cluster of a `ClusterFleet`. */
export interface ClusterFleetClusterProps extends FleetClusterProps {
  /**
   * How this cluster plugs the fleet root into Istio.
   * @default FleetIntegration.PLUGIN_CA
   */
  readonly integration?: FleetIntegration;
}

/** Props of `ClusterFleet`. */
export interface ClusterFleetProps extends FleetProps {
  /** The root every cluster's intermediate hangs under. */
  readonly root: FleetRoot;
  /** The clusters: each gets its own intermediate under the root. */
  readonly clusters: ClusterFleetClusterProps[];
  /**
   * Mesh ID, `global.meshID` in every cluster.
   * @default - the fleet's id
   */
  readonly meshId?: string;
  /**
   * Lifetime of each cluster's intermediate (the one cert-manager issues, or the one you sign offline).
   * @default Duration.hours(8760)
   */
  readonly intermediateDuration?: Duration;
  /**
   * How long before expiry cert-manager renews an intermediate it issues.
   * @default Duration.hours(2160)
   */
  readonly intermediateRenewBefore?: Duration;
  /**
   * Id of the fleet: its ApplicationSet's name and the default mesh ID.
   * @default 'mesh-fleet'
   */
  readonly id?: string;
}

/** What the fleet built for one cluster. */
export interface ClusterFleetCluster {
  readonly name: string;
  /** The cluster's app: add your own charts to it; its output goes to `clusters/<name>/`. */
  readonly app: MeshApp;
  readonly chart: Chart;
  readonly istioCa: IstioCustomCa;
}

/**
 * A multi-cluster mesh on one root held outside Vault (for a Vault root, `MeshFleet` in `istio-custom-ca/vault`):
 * a cert-manager CA issuer in each cluster, or an offline root whose per-cluster intermediates you sign by hand
 * (`FleetRoot`). Each cluster runs the plug-in CA, istio-csr or the Kubernetes CSR route under its own intermediate. The same cross-cluster
 * checks as `MeshFleet`; `synth()` writes `clusters/<name>/{manifests,install,alerts}`, a fleet `NOTES.md` (with each
 * cluster's manual steps) and, when asked, `argocd/applicationset.yaml`. Nothing secret is written.
 */
export class ClusterFleet {
  public readonly outdir: string;
  /** The clusters, in the order given. */
  public readonly clusters: ClusterFleetCluster[];
  private readonly id: string;
  private readonly props: ClusterFleetProps;
  private readonly steps: string[][] = [];

  public constructor(props: ClusterFleetProps) {
    check(NAME, deepTokenProblem(props));
    this.props = props;
    this.id = props.id ?? 'mesh-fleet';
    check(NAME, fleetIdProblem(this.id, 'the fleet (its ApplicationSet, the default mesh ID)'));
    this.outdir = props.outdir ?? process.env.CDK8S_OUTDIR ?? 'dist';
    if (!(props.root instanceof FleetRoot)) fail(NAME, `'root' (${String(props.root)}) must be a FleetRoot, e.g. FleetRoot.offline({ rootPem })`);
    if (!Array.isArray(props.clusters) || props.clusters.length === 0) {
      fail(NAME, `'clusters' (${JSON.stringify(props.clusters)}) must list at least one cluster`);
    }
    props.clusters.forEach((c, i) => check(`${NAME}: clusters[${i}]`, clusterNameProblem('name', c?.name)));
    const models = fleetClusterModels(props.clusters, props.trustDomain);
    const problems = fleetProblems(models);
    if (problems.length) fail(NAME, problems.join('; '));
    const duration = Duration.millis(lifetimeMs(NAME, 'intermediateDuration', props.intermediateDuration ?? Duration.millis(PKI_DEFAULTS.intermediateDurationMs),
      LIFETIME_RULES.certManagerDuration));
    if (props.intermediateRenewBefore !== undefined) {
      const rb = lifetimeMs(NAME, 'intermediateRenewBefore', props.intermediateRenewBefore, LIFETIME_RULES.certManagerRenewBefore);
      if (rb >= duration.toMilliseconds()) {
        fail(NAME, `'intermediateRenewBefore' (${goDuration(rb)}) must be shorter than 'intermediateDuration' (${goDuration(duration.toMilliseconds())}); ` +
          'cert-manager ignores a renewBefore that is not; shorten it or lengthen the intermediate');
      }
    }
    this.clusters = props.clusters.map((c, i) => this.cluster(c, models[i].intermediateCommonName, duration));
  }

  private cluster(c: ClusterFleetClusterProps, commonName: string, intermediateDuration: Duration): ClusterFleetCluster {
    const p = this.props;
    const who = `${NAME}: cluster '${c.name}'`;
    const integration = c.integration ?? FleetIntegration.PLUGIN_CA;
    if (!Object.values(FleetIntegration).includes(integration)) {
      fail(who, `'integration' (${integration}) must be one of ${Object.values(FleetIntegration).map((v) => `FleetIntegration.${v}`).join(', ')}`);
    }
    const policy = c.issuancePolicy ?? p.issuancePolicy;
    const app = new MeshApp({ outdir: join(this.outdir, 'clusters', c.name) });
    const chart = new Chart(app, 'istio-custom-ca');
    try {
      const ca = p.root._cluster(chart, {
        name: c.name, integration, istioNamespace: ISTIO_DEFAULTS.istioNamespace, intermediateCommonName: commonName,
        intermediateDuration, intermediateRenewBefore: p.intermediateRenewBefore,
      });
      if (policy?.isApproverPolicy && ca.extraRequests) {
        fail(who, `'issuancePolicy' (approverPolicy) cannot be used here: ${ca.extraRequests}; use FleetRoot.offline() or the default approver`);
      }
      const istioCa = new IstioCustomCa(chart, 'istio-ca', {
        integration: ca.integration, clusterName: c.name, network: c.network, meshId: p.meshId ?? this.id,
        trustDomain: c.trustDomain ?? p.trustDomain, trustDomainAliases: c.trustDomainAliases, istioVersion: c.istioVersion, ambient: c.ambient,
        issuancePolicy: policy, workloadCertTtl: p.workloadCertTtl,
      });
      if (p.alerts ?? true) new CertAlertRules(chart, 'cert-alerts', { ca: istioCa });
      this.steps.push(ca.steps);
      return { name: c.name, app, chart, istioCa };
    } catch (e) {
      // Errors of the cluster's constructs, named by the fleet and the cluster.
      if (e instanceof Error && !e.message.startsWith(NAME)) throw new Error(`${who}: ${e.message}`);
      throw e;
    }
  }

  /** Every file `synth()` writes, by path relative to the output folder. */
  public renderOutput(): GeneratedFile[] {
    const files = this.clusters.flatMap((c) => nestedOutput(`clusters/${c.name}`, c.app.renderOutput()));
    const root = this.props.root;
    files.push({
      path: 'NOTES.md',
      content: fleetNotes(this.id, this.clusters.map((c, i) => ({
        name: c.name, integration: c.istioCa.integration.type, network: this.props.clusters[i].network, trustDomain: c.istioCa.trustDomain,
        istioVersion: c.istioCa.istioVersion, steps: this.steps[i],
      })), this.props.argoCdApplicationSet !== undefined, {
        install: [`1. The root: ${root.description}. Its SHA-256 fingerprint: \`${root.fingerprint}\`.`],
        fingerprint: `\`${root.fingerprint}\``,
      }),
    });
    if (this.props.argoCdApplicationSet) files.push(applicationSetFile(this.id, this.props.argoCdApplicationSet));
    return files;
  }

  /** Renders everything, then writes it at once: nothing is written when anything fails. */
  public synth(): void {
    writeOutputTree(this.outdir, this.renderOutput());
  }
}
