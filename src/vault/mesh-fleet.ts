import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { Chart, Duration } from 'cdk8s';
import { App as TfApp, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { CertAlertRules } from '../k8s/cert-alert-rules';
import { CertManagerIssuer } from '../k8s/cert-manager-issuer';
import { IstioCustomCa } from '../k8s/istio-custom-ca';
import { MeshApp } from '../mesh-app';
import { defaultTerraformStateDir, GeneratedFile, nestedOutput, writeOutputTree } from '../output-tree';
import { check, deepTokenProblem, fail } from '../model/errors';
import { clusterNameProblem, FleetClusterModel, fleetClusterModels, fleetIdProblem, fleetProblems } from '../model/fleet';
import { fleetNotes, FleetNotesCluster, vaultFleetRoot } from '../model/fleet-files';
import { applicationSetFile } from '../fleet-application-set';
import { FleetClusterProps, FleetProps } from '../fleet-props';
import { MeshPkiConfig } from './mesh-pki-config';
import { buildMeshPkiParts, meshPkiError, validateMeshPkiConfig } from './mesh-pki-parts';
import { localStatePath, stackFiles } from './terraform-files';
import { mountUrls, routeSignsLeaves, VaultPkiBackend, VaultPkiRoute } from './vault-pki-backend';
import { VaultRoot } from './vault-root';
import { DEFAULT_ROOT_MOUNT } from './vault-roots/generated-root';
import { VaultTokenValidation } from './vault-token-validation';

const NAME = 'MeshFleet';

/** One cluster of a `MeshFleet`. */
export interface MeshFleetClusterProps extends FleetClusterProps {
  /**
   * How this cluster plugs the fleet root into Istio: `cacerts` intermediate (route 1), istio-csr leaves (route 2) or
   * Kubernetes CSR leaves (route 3, needs the fleet's `rootCaPem`).
   */
  readonly route: VaultPkiRoute;
  /**
   * This cluster's API server, for Vault's TokenReview (Vault in the cluster). Give this or `tokenValidation`.
   * @default - none
   */
  readonly kubernetesHost?: string;
  /**
   * PEM CA of this cluster's API server (public), with `kubernetesHost`.
   * @default - Vault's own trust store
   */
  readonly kubernetesCaCertPem?: string;
  /**
   * How Vault validates this cluster's cert-manager token: every cluster has its own service-account issuer.
   * @default - TokenReview against kubernetesHost
   */
  readonly tokenValidation?: VaultTokenValidation;
}

/** Props of `MeshFleet`. */
export interface MeshFleetProps extends FleetProps {
  /** The clusters: each gets its own intermediate under the one root. */
  readonly clusters: MeshFleetClusterProps[];
  /** Vault address (https), where the root lives. */
  readonly vaultAddress: string;
  /**
   * Mesh ID, `global.meshID` in every cluster.
   * @default - the Terraform stack id
   */
  readonly meshId?: string;
  /**
   * Common name of the root generated in Vault.
   * @default 'Istio Mesh Root CA'
   */
  readonly rootCommonName?: string;
  /**
   * Lifetime of the root.
   * @default Duration.hours(87600)
   */
  readonly rootTtl?: Duration;
  /**
   * Public PEM of the fleet root, once Terraform has generated it (`terraform output -raw istio_root_ca_pem`). Clusters on
   * route LEAVES_FOR_KUBERNETES_CSR need it: istiod pins the root by content in `meshConfig.caCertificates`. Add such a
   * cluster after the first apply; Terraform refuses to apply when this is not the root in Vault.
   * @default - none; required when a cluster uses route LEAVES_FOR_KUBERNETES_CSR
   */
  readonly rootCaPem?: string;
  /**
   * Mount of the root.
   * @default 'pki'
   */
  readonly rootMountPath?: string;
  /**
   * Secret (in each cluster) whose `ca.crt` verifies Vault's TLS certificate.
   * @default - cert-manager's system trust store
   */
  readonly vaultCaBundleSecretName?: string;
  /**
   * Route 1 clusters: lifetime of each `cacerts` intermediate.
   * @default Duration.hours(8760)
   */
  readonly intermediateDuration?: Duration;
  /**
   * Route 1 clusters: renewBefore of each intermediate.
   * @default Duration.hours(2160)
   */
  readonly intermediateRenewBefore?: Duration;
  /**
   * Id of the Terraform stack (`terraform/<id>/`).
   * @default 'mesh-fleet'
   */
  readonly id?: string;
  /**
   * Folder of the default local Terraform state, outside the output folder.
   * @default - `.istio-custom-ca-state` beside the output folder
   */
  readonly terraformStateDir?: string;
}

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
    this.checkRootCaPem(props);
    const models = fleetClusterModels(props.clusters, props.trustDomain);
    const configs = props.clusters.map((c, i) => this.clusterConfig(c, i, models[i]));
    const problems = fleetProblems(models);
    if (problems.length) fail(NAME, problems.join('; '));

    const stateDir = props.terraformStateDir ?? defaultTerraformStateDir(this.outdir);
    this.stack = new TerraformStack(new TfApp({ outdir: tmpdir(), skipValidation: true }), this.id);
    new LocalBackend(this.stack, { path: localStatePath(NAME, this.outdir, stateDir, this.id, undefined) });
    new VaultProvider(this.stack, 'vault', { address: props.vaultAddress });
    const root = this.root(props);
    this.clusters = props.clusters.map((c, i) => this.cluster(c, configs[i], root, stateDir));
  }

  /** `rootCaPem` exactly when a cluster pins the root by content (route 3): given otherwise, nothing would read it. */
  private checkRootCaPem(props: MeshFleetProps): void {
    const pinning = (props.clusters ?? []).filter((c) => c?.route === VaultPkiRoute.LEAVES_FOR_KUBERNETES_CSR).map((c) => c.name);
    if (pinning.length && props.rootCaPem === undefined) {
      fail(NAME, `'rootCaPem' is required: cluster${pinning.length > 1 ? 's' : ''} ${pinning.join(', ')} ha${pinning.length > 1 ? 've' : 's'} ` +
        "'route' LEAVES_FOR_KUBERNETES_CSR, where istiod pins the root by content (meshConfig.caCertificates). Apply the fleet's " +
        'Terraform stack without them first, then set rootCaPem to `terraform output -raw istio_root_ca_pem` (public) and add them');
    }
    if (!pinning.length && props.rootCaPem !== undefined) {
      fail(NAME, "'rootCaPem' is read only by clusters on route LEAVES_FOR_KUBERNETES_CSR, and no cluster uses it; remove it");
    }
  }

  /** The one root: generated once in its own mount, with its URLs, at the addresses a single-cluster `MeshPki` uses. */
  private root(props: MeshFleetProps): VaultRoot {
    const generated = VaultRoot.generate({ commonName: props.rootCommonName ?? 'Istio Mesh Root CA', ttl: props.rootTtl });
    const scope = new Construct(this.stack, 'Root');
    const rendered = generated._variant().render({
      scope, who: NAME, prefix: 'istio', requestedMountPath: props.rootMountPath ?? DEFAULT_ROOT_MOUNT,
      pin: (r, suffix) => { r.overrideLogicalId(`istio_${suffix}`); return r; },
    });
    mountUrls(scope, 'RootUrls', props.vaultAddress, rendered.backend, rendered.mountPath).overrideLogicalId('istio_root_urls');
    return VaultRoot._shared(rendered, generated.ttl);
  }

  /** One cluster's MeshPki config: the fleet's shared values, and the names that must differ derived from the cluster name. */
  private clusterConfig(c: MeshFleetClusterProps, i: number, model: FleetClusterModel): MeshPkiConfig {
    const who = `${NAME}: clusters[${i}]`;
    check(who, clusterNameProblem('name', c.name));
    const p = this.props;
    const config: MeshPkiConfig = {
      route: c.route,
      vaultAddress: p.vaultAddress,
      kubernetesHost: c.kubernetesHost,
      kubernetesCaCertPem: c.kubernetesCaCertPem,
      tokenValidation: c.tokenValidation,
      trustDomain: model.trustDomain,
      trustDomainAliases: c.trustDomainAliases,
      meshId: p.meshId ?? this.id,
      clusterName: c.name,
      network: c.network,
      istioVersion: c.istioVersion,
      ambient: c.ambient,
      intermediateCommonName: model.intermediateCommonName,
      rootTtl: p.rootTtl,
      rootCommonName: p.rootCommonName,
      vaultCaBundleSecretName: p.vaultCaBundleSecretName,
      intermediateDuration: c.route === VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD ? p.intermediateDuration : undefined,
      intermediateRenewBefore: c.route === VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD ? p.intermediateRenewBefore : undefined,
      workloadCertTtl: p.workloadCertTtl,
      issuancePolicy: c.issuancePolicy ?? p.issuancePolicy,
      // Every cluster has its own service-account issuer, so its own auth mount; routes 2 and 3 their own intermediate mount.
      authMountPath: `kubernetes-${c.name}`,
      intermediateMountPath: routeSignsLeaves(c.route) ? `pki_int_${c.name}` : undefined,
      kubernetesCsrRootCaPem: c.route === VaultPkiRoute.LEAVES_FOR_KUBERNETES_CSR ? p.rootCaPem : undefined,
    };
    try {
      validateMeshPkiConfig(config);
    } catch (e) {
      throw clusterError(e, c.name);
    }
    return config;
  }

  private cluster(c: MeshFleetClusterProps, config: MeshPkiConfig, root: VaultRoot, stateDir: string): MeshFleetCluster {
    const app = new MeshApp({ outdir: join(this.outdir, 'clusters', c.name), terraformStateDir: stateDir });
    // Terraform addresses allow only [A-Za-z0-9_]; cluster names are DNS labels, so '-' is the only character to map.
    const prefix = `istio_${c.name.replace(/-/g, '_')}`;
    try {
      const parts = buildMeshPkiParts(app, 'istio-custom-ca', config, {
        scope: this.stack, id: `VaultPki-${c.name}`, root, logicalIdPrefix: prefix, policyName: `istio-cert-manager-sign-${c.name}`,
      });
      if (this.props.alerts ?? true) new CertAlertRules(parts.chart, 'cert-alerts', { ca: parts.istioCa });
      new TerraformOutput(this.stack, `SignPath-${c.name}`, { value: parts.backend.signPath, description: `Vault sign path of cluster ${c.name}` })
        .overrideLogicalId(`${prefix}_sign_path`);
      return { name: c.name, app, chart: parts.chart, istioCa: parts.istioCa, issuer: parts.issuer, backend: parts.backend };
    } catch (e) {
      throw clusterError(e, c.name);
    }
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

/** An error from a cluster's constructs, as the fleet's, naming the cluster, with the prop names a cluster's config uses. */
function clusterError(e: unknown, name: string): unknown {
  const mapped = meshPkiError(e);
  if (!(mapped instanceof Error)) return mapped;
  return new Error(`${NAME}: cluster '${name}': ${mapped.message.replace(/^MeshPki: /, '')}`);
}
