import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { check, deepTokenProblem, fail, withPath } from '../model/errors';
import {
  InstallSettings, istioOperator, istiodHelmValues, istiodPostRenderKustomization, istiodPostRenderPatch, POST_RENDER_DIR, POST_RENDER_INPUT,
  POST_RENDER_PATCH, ztunnelHelmValues,
} from '../model/install-config';
import { intermediateOutlivesLeafProblem, renewalCoversLeafProblem } from '../model/lifetime-rules';
import { MeshModel, meshModel, meshTrust } from '../model/mesh-model';
import { CaIntegration } from './ca-integration';
import { installNotes } from './install-notes';
import { IntegrationContribution } from './integrations/integration-variant';
import { ISTIO_CSR_VALUES_FILE } from './integrations/istio-csr';
import { installSettings } from './install-settings';
import { IssuancePolicy, IssuancePolicyBinding } from './issuance-policy';
import { registerMesh } from './mesh-context';
import { OutputFile, OutputFolder } from './output-file';

const NAME = 'IstioCustomCa';

/** Props of `IstioCustomCa`. */
export interface IstioCustomCaProps {
  /** How the CA is plugged into Istio. */
  readonly integration: CaIntegration;
  /**
   * SPIFFE trust domain of the mesh (`meshConfig.trustDomain`).
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * Namespace istiod runs in (where `cacerts` must be).
   * @default 'istio-system'
   */
  readonly istioNamespace?: string;
  /**
   * Lifetime each sidecar requests for its workload certificate: proxyMetadata `SECRET_TTL`.
   * @default Duration.hours(24); with istio-csr, its maxCertificateDuration
   */
  readonly workloadCertTtl?: Duration;
  /**
   * Fraction of life remaining when a sidecar renews: proxyMetadata `SECRET_GRACE_PERIOD_RATIO`.
   * @default 0.5
   */
  readonly gracePeriodRatio?: number;
  /**
   * ± random offset on the renewal ratio: proxyMetadata `SECRET_GRACE_PERIOD_RATIO_JITTER` (Istio 1.24+).
   * @default - Istio's default, 0.01 (not emitted)
   */
  readonly gracePeriodRatioJitter?: number;
  /**
   * Largest lifetime istiod signs; larger requests fail with TTL_ERROR: istiod env `MAX_WORKLOAD_CERT_TTL`.
   * Not allowed with istio-csr, where istiod signs nothing.
   * @default Duration.hours(2160)
   */
  readonly maxWorkloadCertTtl?: Duration;
  /**
   * Istio version targeted, `1.<minor>`; picks API versions and refuses integrations that do not work there.
   * @default '1.30'
   */
  readonly istioVersion?: string;
  /**
   * Cluster name (`global.multiCluster.clusterName`, istiod's CLUSTER_ID); istio-csr's `app.server.clusterID`
   * is set to the same value.
   * @default - Istio's default, 'Kubernetes' (not emitted)
   */
  readonly clusterName?: string;
  /**
   * Network of this cluster in a multi-network mesh (`global.network`: the sidecar injector's ISTIO_META_NETWORK;
   * ztunnel's `network` value in ambient, Istio 1.30+).
   * @default - none (one flat network)
   */
  readonly network?: string;
  /**
   * Mesh ID (`global.meshID`), the same in every cluster of one multi-cluster mesh.
   * @default - Istio's default, the trust domain
   */
  readonly meshId?: string;
  /**
   * Trust domains whose workload identities this mesh also accepts (`meshConfig.trustDomainAliases`), e.g. the
   * trust domain of another cluster of a multi-cluster mesh.
   * @default - none
   */
  readonly trustDomainAliases?: string[];
  /**
   * The mesh runs ambient mode: ztunnel gets the CA address and workload lifetime too (`ztunnel-values.yaml`).
   * @default false
   */
  readonly ambient?: boolean;
  /**
   * Extra roots every workload trusts (`meshConfig.caCertificates`), e.g. the next root during a rotation. PEM
   * CA certificates. Plug-in CA and Kubernetes CSR integrations only.
   * @default - none
   */
  readonly additionalTrustedRootsPem?: string[];
  /**
   * Multi-root trust with runtime root updates: istiod env `ISTIO_MULTIROOT_MESH=true` and proxyMetadata
   * `PROXY_CONFIG_XDS_AGENT=true`, so trust-bundle changes are pushed to proxies (restart workloads once).
   * Plug-in CA and Kubernetes CSR integrations only.
   * @default false
   */
  readonly multiRoot?: boolean;
  /**
   * A value for istiod's pod annotation `istio-custom-ca.io/restart`; changing it restarts istiod (needed when
   * cacerts' root changes, docs/reference.md §6.2).
   * @default - no annotation
   */
  readonly istiodRestartToken?: string;
  /**
   * Who approves the mesh's cert-manager CertificateRequests: cert-manager's default approver (every request), or
   * approver-policy objects that allow only what the integration requests (`IssuancePolicy.approverPolicy()`).
   * @default IssuancePolicy.certManagerDefaultApprover()
   */
  readonly issuancePolicy?: IssuancePolicy;
}

/**
 * Plugs a custom CA into Istio workload mTLS: the cluster objects (the `cacerts` Certificate, a trust-manager
 * Bundle, ProxyConfigs) and the Istio install configuration (IstioOperator for `istioctl install -f`, istiod and
 * ztunnel Helm values, istio-csr values, NOTES.md), written to `install/` by `MeshApp`.
 *
 * The props are validated into a model first (mesh-wide settings, then the integration's own options, then the
 * settings that depend on both); the integration then renders its objects. For `certManagerPluginCa` the `cacerts`
 * Certificate is child 'Resource' (`node.defaultChild`).
 */
export class IstioCustomCa extends Construct {
  /** The mesh trust domain. */
  public readonly trustDomain: string;
  /** istiod's namespace. */
  public readonly istioNamespace: string;
  /** Targeted Istio version. */
  public readonly istioVersion: string;
  /** Sidecar certificate lifetime (`SECRET_TTL`). */
  public readonly workloadCertTtl: Duration;
  /** Sidecar renewal ratio (`SECRET_GRACE_PERIOD_RATIO`). */
  public readonly gracePeriodRatio: number;
  /** Jitter on the ratio (`SECRET_GRACE_PERIOD_RATIO_JITTER`; Istio's default 0.01 when not set). */
  public readonly gracePeriodRatioJitter: number;
  /** istiod's `MAX_WORKLOAD_CERT_TTL`, where istiod signs. */
  public readonly maxWorkloadCertTtl?: Duration;
  /** The integration in use. */
  public readonly integration: CaIntegration;
  /** Whether the mesh is ambient. */
  public readonly ambient: boolean;
  /** Intermediate lifetime, for the cert-manager plug-in CA. */
  public readonly intermediateDuration?: Duration;
  /** Intermediate renewBefore, for the cert-manager plug-in CA. */
  public readonly intermediateRenewBefore?: Duration;
  /** `global.caAddress`, with istio-csr. */
  public readonly caAddress?: string;
  /** @internal The validated mesh model. */
  public readonly _mesh: MeshModel;
  /** @internal What the integration contributed (read by the alerts and the plans). */
  public readonly _contribution: IntegrationContribution;
  private readonly settings: InstallSettings;

  public constructor(scope: Construct, id: string, props: IstioCustomCaProps) {
    super(scope, id);
    try {
      // No cdktf token may reach a manifest through any string prop (Issue 11).
      check(NAME, deepTokenProblem(props));
      if (!(props.integration instanceof CaIntegration)) {
        fail(NAME, `'integration' (${String(props.integration)}) is required: CaIntegration.certManagerPluginCa(), manualPluginCa(), ` +
          'istioCsr() or kubernetesCsr()');
      }
      const variant = props.integration._variant();
      // Validate: the mesh, the integration's options against it, then what depends on both.
      const mesh = meshModel(NAME, props, () => variant.defaultWorkloadCertTtlMs(NAME));
      const contribution = variant.bind(NAME, mesh);
      const trust = meshTrust(NAME, props, mesh, variant.traits);
      if (props.issuancePolicy !== undefined && !(props.issuancePolicy instanceof IssuancePolicy)) {
        fail(NAME, `'issuancePolicy' (${String(props.issuancePolicy)}) must be IssuancePolicy.approverPolicy() or certManagerDefaultApprover()`);
      }
      const issuance = (props.issuancePolicy ?? IssuancePolicy.certManagerDefaultApprover())._bind(NAME, contribution.issuance);
      if (contribution.intermediate && trust.maxWorkloadCertTtlMs !== undefined) {
        check(NAME, intermediateOutlivesLeafProblem(contribution.intermediate.durationMs, trust.maxWorkloadCertTtlMs));
        check(NAME, renewalCoversLeafProblem(contribution.intermediate.renewBeforeMs, mesh.workloadCertTtlMs));
      }
      this.integration = props.integration;
      this._mesh = mesh;
      this._contribution = contribution;
      this.trustDomain = mesh.trustDomain;
      this.istioNamespace = mesh.istioNamespace;
      this.istioVersion = mesh.istioVersion;
      this.ambient = mesh.ambient;
      this.gracePeriodRatio = mesh.gracePeriodRatio;
      this.gracePeriodRatioJitter = mesh.gracePeriodRatioJitter;
      this.workloadCertTtl = props.workloadCertTtl ?? Duration.millis(mesh.workloadCertTtlMs);
      this.maxWorkloadCertTtl = trust.maxWorkloadCertTtlMs === undefined ? undefined : props.maxWorkloadCertTtl ?? Duration.millis(trust.maxWorkloadCertTtlMs);
      this.intermediateDuration = contribution.intermediate && Duration.millis(contribution.intermediate.durationMs);
      this.intermediateRenewBefore = contribution.intermediate && Duration.millis(contribution.intermediate.renewBeforeMs);
      this.caAddress = contribution.caAddress;
      this.settings = installSettings(mesh, contribution, trust);

      // Build: the integration's objects, then the install files.
      contribution.render(this);
      issuance.render(this);
      this.installFiles(contribution, issuance);
      // Siblings (PermissivePeerAuth, CaPinnedDestination) follow this mesh's version and trust domain.
      registerMesh(this);
    } catch (e) {
      throw withPath(e, NAME, this.node.path);
    }
  }

  /** The IstioOperator document for `istioctl install -f` (docs/reference.md §9). */
  public toIstioOperator(): Record<string, unknown> {
    return istioOperator(this.settings, 'istio-custom-ca');
  }

  /** The equivalent istiod Helm chart values. */
  public toIstiodHelmValues(): Record<string, unknown> {
    return istiodHelmValues(this.settings);
  }

  /** ztunnel Helm chart values (ambient only). */
  public toZtunnelHelmValues(): Record<string, unknown> | undefined {
    return ztunnelHelmValues(this.settings);
  }

  /** istio-csr Helm chart values (istio-csr only). */
  public toIstioCsrHelmValues(): Record<string, unknown> | undefined {
    return this._contribution.installFiles.find((f) => f.file === ISTIO_CSR_VALUES_FILE)?.content;
  }

  private installFiles(contribution: IntegrationContribution, issuance: IssuancePolicyBinding): void {
    const ns = this.istioNamespace;
    new OutputFile(this, 'IstioOperator', OutputFolder.INSTALL, 'istio-operator.yaml',
      'IstioOperator for `istioctl install -f` (a file only: the IstioOperator CRD is not installed in clusters).\n' +
      'Combine it with your own: istioctl install -f your-base.yaml -f istio-operator.yaml',
      { produce: () => this.toIstioOperator() });
    new OutputFile(this, 'IstiodHelmValues', OutputFolder.INSTALL, 'istiod-values.yaml',
      `values for the istiod (istio-discovery) Helm chart: helm upgrade --install istiod istio/istiod -n ${ns} -f istiod-values.yaml`,
      { produce: () => this.toIstiodHelmValues() });
    const patch = istiodPostRenderPatch(this.settings);
    if (patch) {
      new OutputFile(this, 'IstiodPostRenderPatch', OutputFolder.INSTALL, `${POST_RENDER_DIR}/${POST_RENDER_PATCH}`,
        'strategic-merge patch for the istiod Deployment rendered from istiod-values.yaml: it sets env the chart renders itself\n' +
        '(a duplicate in Helm `env` would be rejected by server-side apply); applied by kustomization.yaml beside it',
        { produce: () => patch });
      new OutputFile(this, 'IstiodPostRenderKustomization', OutputFolder.INSTALL, `${POST_RENDER_DIR}/kustomization.yaml`,
        `Helm route: helm template istiod istio/istiod -n ${ns} -f ../istiod-values.yaml > ${POST_RENDER_INPUT}\n` +
        'then: kubectl apply --server-side -k .   (see NOTES.md for Flux and Argo CD)',
        { produce: () => istiodPostRenderKustomization(POST_RENDER_INPUT, POST_RENDER_PATCH) });
    }
    if (this.ambient) {
      new OutputFile(this, 'ZtunnelHelmValues', OutputFolder.INSTALL, 'ztunnel-values.yaml',
        `values for the ztunnel Helm chart (ambient): helm upgrade --install ztunnel istio/ztunnel -n ${ns} -f ztunnel-values.yaml`,
        { produce: () => ztunnelHelmValues(this.settings) });
    }
    for (const f of contribution.installFiles) {
      new OutputFile(this, f.id, OutputFolder.INSTALL, f.file, f.description, { produce: () => f.content });
    }
    new OutputFile(this, 'Notes', OutputFolder.INSTALL, 'NOTES.md', 'install notes', { produce: () => installNotes(this._mesh, contribution, issuance.notes) });
  }
}
