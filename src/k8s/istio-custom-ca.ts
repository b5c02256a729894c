import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { Certificate, CertificateSpecUsages } from '../imports/certificates-cert-manager.io';
import { ProxyConfig } from '../imports/istio-networking-networking.istio.io';
import { Bundle, BundleSpecSources } from '../imports/trust-manager-trust.cert-manager.io';
import { goDuration, lifetimeMs } from '../model/durations';
import { check, deepTokenProblem, fail, withPath } from '../model/errors';
import { commonNameProblem, DEFAULT_TRUST_DOMAIN, trustDomainProblem } from '../model/identity';
import {
  InstallSettings, istioOperator, istiodHelmValues, istiodPostRenderKustomization, istiodPostRenderPatch, POST_RENDER_DIR, POST_RENDER_INPUT,
  POST_RENDER_PATCH, ztunnelHelmValues,
} from '../model/install-config';
import { istioCsrValues } from '../model/istio-csr-values';
import {
  AGENT_CERT_SIGNER_ENV, AGENT_ENV, AGENT_PCDS_ENV, CACERTS_SECRET, EXTERNAL_CA_K8S_RA, ISTIO_DEFAULTS, ISTIOD_ENV, RESTART_ANNOTATION,
} from '../model/istio-settings';
import {
  csrAtLeast, DEFAULT_ISTIO_VERSION, holds, ISTIO_CSR_MINIMUMS, istioVersionProblem, parseSemver, requireFact,
} from '../model/istio-version';
import { namespaceProblem } from '../model/k8s-names';
import {
  graceRatioProblem, intermediateOutlivesLeafProblem, LIFETIME_RULES,
  renewalCoversLeafProblem, renewBeforeProblem, signerOutlivesProblem, workloadTtlProblem,
} from '../model/lifetime-rules';
import { normalisePem, parseCaBundle } from '../model/pem';
import { DEFAULT_JITTER } from '../model/rotation';
import { makeClusterScoped, MANAGED_BY } from './_scope';
import {
  CacertsLayout, CaIntegration, CaIntegrationType, CertManagerPluginCaOptions, IstioCsrOptions, KubernetesCsrOptions,
  ManualPluginCaOptions,
} from './ca-integration';
import { ICertManagerIssuer, IssuerKind } from './cert-manager-issuer';
import { registerMesh } from './mesh-context';
import { OutputFile, OutputFolder } from './output-file';
import { VaultSignPathKind, vaultSignPathKind } from './issuer-source';
import { installNotes } from './install-notes';
import { privateKeySpec } from './private-key';
import { RootCaBundleType } from './root-ca-bundle';

const NAME = 'IstioCustomCa';

/** Letters, digits, '-', '_' and '.', alphanumeric at both ends (cluster names, annotation values). */
const LABEL_LIKE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

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
}

/** What an integration contributes to the install config. */
interface IntegrationSettings {
  /** istiod signs (CA or RA): MAX_WORKLOAD_CERT_TTL applies. */
  readonly istiodSigns: boolean;
  readonly istiodEnv: Record<string, string>;
  /** istiod env replacing a variable the chart renders itself (facts §12.2). */
  readonly istiodEnvReplacements?: Record<string, string>;
  readonly proxyMetadata: Record<string, string>;
  readonly global: Record<string, unknown>;
  readonly meshConfig: Record<string, unknown>;
  readonly caAddress?: string;
}

/**
 * Plugs a custom CA into Istio workload mTLS: the cluster objects (the `cacerts` Certificate, a trust-manager
 * Bundle, ProxyConfigs) and the Istio install configuration (IstioOperator for `istioctl install -f`, istiod and
 * ztunnel Helm values, istio-csr values, NOTES.md), written to `install/` by `MeshApp`.
 *
 * For `certManagerPluginCa` the `cacerts` Certificate is child 'Resource' (`node.defaultChild`).
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
  private readonly settings: InstallSettings;
  private csrValues?: Record<string, unknown>;

  public constructor(scope: Construct, id: string, props: IstioCustomCaProps) {
    super(scope, id);
    try {
      // No cdktf token may reach a manifest through any string prop (Issue 11).
      check(NAME, deepTokenProblem(props));
      if (!(props.integration instanceof CaIntegration)) {
        fail(NAME, `'integration' (${String(props.integration)}) is required: CaIntegration.certManagerPluginCa(), manualPluginCa(), ` +
          'istioCsr() or kubernetesCsr()');
      }
      this.integration = props.integration;
      this.trustDomain = props.trustDomain ?? DEFAULT_TRUST_DOMAIN;
      this.istioNamespace = props.istioNamespace ?? ISTIO_DEFAULTS.istioNamespace;
      this.istioVersion = props.istioVersion ?? DEFAULT_ISTIO_VERSION;
      this.gracePeriodRatio = props.gracePeriodRatio ?? ISTIO_DEFAULTS.gracePeriodRatio;
      this.ambient = props.ambient ?? false;
      check(NAME, trustDomainProblem('trustDomain', this.trustDomain));
      check(NAME, namespaceProblem('istioNamespace', this.istioNamespace));
      check(NAME, istioVersionProblem('istioVersion', this.istioVersion));
      check(NAME, graceRatioProblem(this.gracePeriodRatio));
      if (this.ambient) {
        check(NAME, requireFact('istioVersion', this.istioVersion, 'AMBIENT_ZTUNNEL_VALUES', "'ambient'",
          "target Istio 1.22 or later for ambient, or remove 'ambient'"));
      }
      this.gracePeriodRatioJitter = props.gracePeriodRatioJitter ?? DEFAULT_JITTER;
      if (props.gracePeriodRatioJitter !== undefined) {
        check(NAME, requireFact('istioVersion', this.istioVersion, 'GRACE_PERIOD_JITTER', "'gracePeriodRatioJitter'",
          "target Istio 1.24 or later, or remove 'gracePeriodRatioJitter'"));
        const j = props.gracePeriodRatioJitter;
        if (!(j >= 0 && j < Math.min(this.gracePeriodRatio, 1 - this.gracePeriodRatio))) {
          fail(NAME, `'gracePeriodRatioJitter' (${j}) must be at least 0 and below both 'gracePeriodRatio' and 1 - gracePeriodRatio ` +
            `(${Math.min(this.gracePeriodRatio, 1 - this.gracePeriodRatio)}), or renewal could start at once or never (Istio default 0.01)`);
        }
      }
      if (props.clusterName !== undefined && !LABEL_LIKE.test(props.clusterName)) {
        fail(NAME, `'clusterName' (${props.clusterName}) must be letters, digits, '-', '_' or '.', starting and ending with a letter or digit`);
      }
      const clusterName = props.clusterName ?? ISTIO_DEFAULTS.clusterName;

      const csr = this.integration.istioCsrOptions;
      const csrMax = lifetimeMs(NAME, 'maxCertificateDuration', csr?.maxCertificateDuration ?? Duration.millis(ISTIO_DEFAULTS.istioCsrMaxCertificateDurationMs),
        LIFETIME_RULES.workload);
      this.workloadCertTtl = props.workloadCertTtl ?? (csr ? Duration.millis(csrMax) : Duration.millis(ISTIO_DEFAULTS.secretTtlMs));
      const ttl = lifetimeMs(NAME, 'workloadCertTtl', this.workloadCertTtl, LIFETIME_RULES.workload);

      const plugin = this.integration.pluginCaOptions;
      if (plugin) {
        this.intermediateDuration = plugin.duration ?? Duration.hours(8760);
        this.intermediateRenewBefore = plugin.renewBefore ?? Duration.hours(2160);
      }

      const t = this.integration.type;
      let integration: IntegrationSettings;
      switch (t) {
        case CaIntegrationType.CERT_MANAGER_PLUGIN_CA:
          integration = this.pluginCa(plugin!);
          break;
        case CaIntegrationType.MANUAL_PLUGIN_CA:
          integration = this.manualPluginCa(this.integration.manualPluginCaOptions!);
          break;
        case CaIntegrationType.ISTIO_CSR:
          integration = this.istioCsr(csr!, csrMax, clusterName);
          break;
        case CaIntegrationType.KUBERNETES_CSR:
          integration = this.kubernetesCsr(this.integration.kubernetesCsrOptions!);
          break;
      }

      const istiodEnv = { ...integration.istiodEnv };
      if (integration.istiodSigns) {
        this.maxWorkloadCertTtl = props.maxWorkloadCertTtl ?? Duration.millis(ISTIO_DEFAULTS.maxWorkloadCertTtlMs);
        const maxTtl = lifetimeMs(NAME, 'maxWorkloadCertTtl', this.maxWorkloadCertTtl, LIFETIME_RULES.workload);
        check(NAME, workloadTtlProblem(ttl, maxTtl));
        istiodEnv[ISTIOD_ENV.MAX_WORKLOAD_CERT_TTL] = goDuration(maxTtl);
        this.checkIntermediateLifetimes();
      } else if (props.maxWorkloadCertTtl !== undefined) {
        fail(NAME, `'maxWorkloadCertTtl' (${goDuration(props.maxWorkloadCertTtl.toMilliseconds())}) has no effect with istio-csr, ` +
          "where istiod signs nothing (ENABLE_CA_SERVER=false); remove it and bound lifetimes with istio-csr 'maxCertificateDuration'");
      }
      this.caAddress = integration.caAddress;

      const meshConfigExtra: Record<string, unknown> = { ...integration.meshConfig };
      const proxyExtra: Record<string, string> = { ...integration.proxyMetadata };
      if (props.additionalTrustedRootsPem?.length || props.multiRoot) {
        if (t === CaIntegrationType.ISTIO_CSR) {
          fail(NAME, "'additionalTrustedRootsPem' and 'multiRoot' do not apply to istio-csr, whose trust comes from its rootCAFile " +
            "bundle (docs/reference.md §6.3); put every root into 'rootCaBundle' instead");
        }
      }
      if (props.additionalTrustedRootsPem?.length && props.multiRoot !== true) {
        fail(NAME, `'additionalTrustedRootsPem' (${props.additionalTrustedRootsPem.length} PEM) has no effect without 'multiRoot' ` +
          `(${props.multiRoot}): istiod reads extra meshConfig.caCertificates roots only with ISTIO_MULTIROOT_MESH=true ` +
          '(docs/reference.md §6.1, §12.3); set multiRoot: true');
      }
      if (props.additionalTrustedRootsPem?.length) {
        const existing = (meshConfigExtra.caCertificates as { pem: string }[] | undefined) ?? [];
        const extra = props.additionalTrustedRootsPem.map((pem, i) => {
          check(NAME, parseCaBundle(`additionalTrustedRootsPem[${i}]`, pem).problem);
          return { pem: normalisePem(pem) };
        });
        meshConfigExtra.caCertificates = [...existing, ...extra];
      }
      if (props.gracePeriodRatioJitter !== undefined) proxyExtra[AGENT_ENV.SECRET_GRACE_PERIOD_RATIO_JITTER] = String(props.gracePeriodRatioJitter);
      if (props.multiRoot) {
        istiodEnv[ISTIOD_ENV.ISTIO_MULTIROOT_MESH] = 'true';
        proxyExtra[AGENT_PCDS_ENV] = 'true';
      }
      if (props.istiodRestartToken !== undefined && !LABEL_LIKE.test(props.istiodRestartToken)) {
        fail(NAME, `'istiodRestartToken' (${props.istiodRestartToken}) must be a label-like value: letters, digits, '-', '_' and '.'`);
      }
      const global: Record<string, unknown> = { ...integration.global };
      if (props.clusterName !== undefined) global.multiCluster = { clusterName };
      const secretTtl = { [AGENT_ENV.SECRET_TTL]: goDuration(ttl) };
      this.settings = {
        istioVersion: this.istioVersion,
        istioNamespace: this.istioNamespace,
        trustDomain: this.trustDomain,
        proxyMetadata: {
          ...secretTtl,
          [AGENT_ENV.SECRET_GRACE_PERIOD_RATIO]: String(this.gracePeriodRatio),
          ...proxyExtra,
        },
        istiodEnv,
        istiodEnvReplacements: integration.istiodEnvReplacements,
        meshConfig: meshConfigExtra,
        istiodPodAnnotations: props.istiodRestartToken !== undefined ? { [RESTART_ANNOTATION]: props.istiodRestartToken } : undefined,
        global: Object.keys(global).length ? global : undefined,
        // ztunnel reads its own env and CA address (docs/reference.md §2b, §5.1).
        // ztunnel announces its own multiCluster.clusterName as cluster ID; the CA rejects one it does not know (§12.4).
        ztunnel: this.ambient ? {
          ...(integration.caAddress ? { caAddress: integration.caAddress } : {}),
          ...(props.clusterName !== undefined ? { multiCluster: { clusterName } } : {}),
          env: secretTtl,
        } : undefined,
      };

      new OutputFile(this, 'IstioOperator', OutputFolder.INSTALL, 'istio-operator.yaml',
        'IstioOperator for `istioctl install -f` (a file only: the IstioOperator CRD is not installed in clusters).\n' +
        'Combine it with your own: istioctl install -f your-base.yaml -f istio-operator.yaml',
        { produce: () => this.toIstioOperator() });
      new OutputFile(this, 'IstiodHelmValues', OutputFolder.INSTALL, 'istiod-values.yaml',
        'values for the istiod (istio-discovery) Helm chart: helm upgrade --install istiod istio/istiod -n ' + this.istioNamespace + ' -f istiod-values.yaml',
        { produce: () => this.toIstiodHelmValues() });
      const patch = istiodPostRenderPatch(this.settings);
      if (patch) {
        new OutputFile(this, 'IstiodPostRenderPatch', OutputFolder.INSTALL, `${POST_RENDER_DIR}/${POST_RENDER_PATCH}`,
          'strategic-merge patch for the istiod Deployment rendered from istiod-values.yaml: it sets env the chart renders itself\n' +
          '(a duplicate in Helm `env` would be rejected by server-side apply); applied by kustomization.yaml beside it',
          { produce: () => patch });
        new OutputFile(this, 'IstiodPostRenderKustomization', OutputFolder.INSTALL, `${POST_RENDER_DIR}/kustomization.yaml`,
          `Helm route: helm template istiod istio/istiod -n ${this.istioNamespace} -f ../istiod-values.yaml > ${POST_RENDER_INPUT}\n` +
          'then: kubectl apply --server-side -k .   (see NOTES.md for Flux and Argo CD)',
          { produce: () => istiodPostRenderKustomization(POST_RENDER_INPUT, POST_RENDER_PATCH) });
      }
      if (this.ambient) {
        new OutputFile(this, 'ZtunnelHelmValues', OutputFolder.INSTALL, 'ztunnel-values.yaml',
          'values for the ztunnel Helm chart (ambient): helm upgrade --install ztunnel istio/ztunnel -n ' + this.istioNamespace + ' -f ztunnel-values.yaml',
          { produce: () => ztunnelHelmValues(this.settings) });
      }
      if (this.csrValues) {
        new OutputFile(this, 'IstioCsrHelmValues', OutputFolder.INSTALL, 'istio-csr-values.yaml',
          'values for the cert-manager-istio-csr Helm chart; install istio-csr BEFORE Istio:\n' +
          `helm upgrade --install cert-manager-istio-csr jetstack/cert-manager-istio-csr -n ${csr!.namespace ?? ISTIO_DEFAULTS.istioCsrNamespace} -f istio-csr-values.yaml`,
          { produce: () => this.csrValues });
      }
      new OutputFile(this, 'Notes', OutputFolder.INSTALL, 'NOTES.md', 'install notes', { produce: () => installNotes(this) });
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
    return this.csrValues;
  }

  private noAmbientWith(what: string): void {
    if (this.ambient) {
      fail(NAME, `'ambient' (true) is not supported with ${what}: ztunnel has no equivalent of that integration's ` +
        'proxy settings in docs/reference.md; use certManagerPluginCa or istioCsr in ambient meshes');
    }
  }

  /** Plug-in CA: istiod signs with the `cacerts` intermediate; reload flag on 1.12–1.17 only (§1.2). */
  private pluginEnv(): Record<string, string> {
    return holds('CACERTS_RELOAD_FLAG_OFF', this.istioVersion) ? { [ISTIOD_ENV.AUTO_RELOAD_PLUGIN_CERTS]: 'true' } : {};
  }

  private pluginCa(o: CertManagerPluginCaOptions): IntegrationSettings {
    check(NAME, requireFact('istioVersion', this.istioVersion, 'TLS_LAYOUT_CACERTS', 'CaIntegration.certManagerPluginCa'));
    const d = lifetimeMs(NAME, 'duration', this.intermediateDuration, LIFETIME_RULES.certManagerDuration);
    const rb = lifetimeMs(NAME, 'renewBefore', this.intermediateRenewBefore, LIFETIME_RULES.certManagerRenewBefore);
    check(NAME, renewBeforeProblem(d, rb));

    if (o.commonName !== undefined) check(NAME, commonNameProblem('commonName', o.commonName));
    const issuer = o.issuer;
    this.issuerInNamespace(issuer, this.istioNamespace, "'cacerts'");
    const vaultPath = issuer.source?.vaultOptions?.path;
    if (vaultPath !== undefined && vaultSignPathKind(vaultPath) !== VaultSignPathKind.INTERMEDIATE) {
      fail(NAME, `'issuer' path (${vaultPath}) is a Vault role sign path, which only issues leaf certificates ` +
        "(CA:FALSE), so it cannot issue the Istio intermediate; point the issuer at '<mount>/root/sign-intermediate'");
    }
    if (issuer.rootDuration !== undefined) {
      check(NAME, signerOutlivesProblem(`the self-signed root of 'issuer' (${issuer.name})`, issuer.rootDuration.toMilliseconds(), d));
    }

    new Certificate(this, 'Resource', {
      metadata: { name: CACERTS_SECRET, namespace: this.istioNamespace, labels: MANAGED_BY },
      spec: {
        secretName: CACERTS_SECRET,
        isCa: true,
        commonName: o.commonName ?? 'istio-intermediate-ca',
        duration: goDuration(d),
        renewBefore: goDuration(rb),
        privateKey: privateKeySpec(NAME, o.privateKey),
        // Istio's own intermediate profile (istio tools/certs/common.mk); isCA adds cert sign anyway.
        usages: [CertificateSpecUsages.DIGITAL_SIGNATURE, CertificateSpecUsages.KEY_ENCIPHERMENT, CertificateSpecUsages.CERT_SIGN],
        issuerRef: { ...issuer.issuerRef },
      },
    });
    return { istiodSigns: true, istiodEnv: this.pluginEnv(), proxyMetadata: {}, global: {}, meshConfig: {} };
  }

  private manualPluginCa(o: ManualPluginCaOptions): IntegrationSettings {
    if (o.layout === CacertsLayout.KUBERNETES_TLS) {
      check(NAME, requireFact('istioVersion', this.istioVersion, 'TLS_LAYOUT_CACERTS', 'CacertsLayout.KUBERNETES_TLS'));
    }
    return { istiodSigns: true, istiodEnv: this.pluginEnv(), proxyMetadata: {}, global: {}, meshConfig: {} };
  }

  /** Plug-in CA lifetimes against the workload lifetimes (§1.3). */
  private checkIntermediateLifetimes(): void {
    if (this.intermediateDuration === undefined) return;
    check(NAME, intermediateOutlivesLeafProblem(this.intermediateDuration.toMilliseconds(), this.maxWorkloadCertTtl!.toMilliseconds()));
    check(NAME, renewalCoversLeafProblem(this.intermediateRenewBefore!.toMilliseconds(), this.workloadCertTtl.toMilliseconds()));
  }

  private issuerInNamespace(issuer: ICertManagerIssuer, namespace: string, what: string): void {
    if (issuer.kind === IssuerKind.ISSUER && issuer.namespace !== namespace) {
      fail(NAME, `'issuer' (Issuer ${issuer.namespace}/${issuer.name}) is a namespaced Issuer outside ` +
        `'istioNamespace' (${namespace}), so it cannot sign ${what} there; use a ClusterIssuer or an Issuer in ${namespace}`);
    }
  }

  /** istio-csr: the CA endpoint moves to istio-csr; istiod's CA server is off (§2b). */
  private istioCsr(o: IstioCsrOptions, maxCertMs: number, clusterName: string): IntegrationSettings {
    check(NAME, requireFact('istioVersion', this.istioVersion, 'ISTIOD_WELL_KNOWN_TLS', 'CaIntegration.istioCsr'));
    const version = o.version ?? ISTIO_DEFAULTS.istioCsrVersion;
    if (!parseSemver(version)) fail(NAME, `istio-csr 'version' (${version}) is not a version; give e.g. v0.17.0`);
    if (holds('GRPC_ALPN_ENFORCED', this.istioVersion) && !csrAtLeast(version, ISTIO_CSR_MINIMUMS.ISTIO_1_24.version)) {
      fail(NAME, `istio-csr 'version' (${version}) cannot serve Istio ${this.istioVersion}: ${ISTIO_CSR_MINIMUMS.ISTIO_1_24.why}; ` +
        `install istio-csr ${ISTIO_CSR_MINIMUMS.ISTIO_1_24.version} or later (docs/reference.md §2b)`);
    }
    if (this.ambient && !csrAtLeast(version, ISTIO_CSR_MINIMUMS.AMBIENT.version)) {
      fail(NAME, `istio-csr 'version' (${version}) cannot serve an ambient mesh: ${ISTIO_CSR_MINIMUMS.AMBIENT.why}; ` +
        `install istio-csr ${ISTIO_CSR_MINIMUMS.AMBIENT.version} or later`);
    }
    const csrNamespace = o.namespace ?? ISTIO_DEFAULTS.istioCsrNamespace;
    check(NAME, namespaceProblem('istioCsr namespace', csrNamespace));
    const ttl = this.workloadCertTtl.toMilliseconds();
    if (ttl > maxCertMs) {
      fail(NAME, `'workloadCertTtl' (${goDuration(ttl)}) exceeds istio-csr 'maxCertificateDuration' (${goDuration(maxCertMs)}), ` +
        'which caps every workload certificate, so SECRET_TTL would not be honoured; lower workloadCertTtl or raise maxCertificateDuration');
    }
    const istiodDuration = lifetimeMs(NAME, 'istiodCertificateDuration',
      o.istiodCertificateDuration ?? Duration.millis(ISTIO_DEFAULTS.istioCsrIstiodCertificateDurationMs), LIFETIME_RULES.certManagerDuration);
    const istiodRenew = lifetimeMs(NAME, 'istiodCertificateRenewBefore', o.istiodCertificateRenewBefore ?? Duration.minutes(30),
      LIFETIME_RULES.certManagerRenewBefore);
    check(NAME, renewBeforeProblem(istiodDuration, istiodRenew)?.replace(/'renewBefore'/g, "'istiodCertificateRenewBefore'").replace(/'duration'/g, "'istiodCertificateDuration'"));

    const issuer = o.issuer;
    this.issuerInNamespace(issuer, this.istioNamespace, 'the CertificateRequests istio-csr creates');
    const vaultPath = issuer.source?.vaultOptions?.path;
    if (vaultPath !== undefined && vaultSignPathKind(vaultPath) !== VaultSignPathKind.LEAF) {
      fail(NAME, `'issuer' path (${vaultPath}) signs intermediate CAs, but istio-csr requests workload leaves with SPIFFE URI ` +
        "SANs; point the issuer at a role path '<mount>/sign/<role>' that allows spiffe://<trustDomain>/*");
    }

    // The root bundle istio-csr pins, mounted into its pod.
    const bundle = o.rootCaBundle;
    if (bundle.type === RootCaBundleType.TRUST_MANAGER) {
      const b = new Bundle(this, 'RootCaBundle', {
        metadata: { name: bundle.name, labels: MANAGED_BY },
        spec: {
          sources: bundle.sources.map((s) => s.source as BundleSpecSources),
          target: {
            configMap: { key: bundle.key },
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': csrNamespace } },
          },
        },
      });
      makeClusterScoped(b);
    }
    const volume = bundle.type === RootCaBundleType.SECRET
      ? { secret: { secretName: bundle.name, items: [{ key: bundle.key, path: bundle.key }] } }
      : { configMap: { name: bundle.name, items: [{ key: bundle.key, path: bundle.key }] } };

    const host = `${ISTIO_DEFAULTS.istioCsrServiceName}.${csrNamespace}.svc`;
    const caAddress = `${host}:443`;
    this.csrValues = istioCsrValues({
      issuer: issuer.issuerRef,
      istioNamespace: this.istioNamespace,
      trustDomain: this.trustDomain,
      clusterId: clusterName,
      maxCertificateDuration: goDuration(maxCertMs),
      istiodCertificateDuration: goDuration(istiodDuration),
      istiodCertificateRenewBefore: goDuration(istiodRenew),
      serviceDnsName: host,
      rootCaVolume: volume,
      rootCaFileName: bundle.key,
      caTrustedNodeAccounts: this.ambient ? `${this.istioNamespace}/ztunnel` : undefined,
    });
    return {
      istiodSigns: false,
      istiodEnv: { [ISTIOD_ENV.ENABLE_CA_SERVER]: 'false' },
      proxyMetadata: {},
      // Keep istiod as the provider of its own serving cert (it reads istio-csr's istiod-tls, §2b).
      global: { caAddress, pilotCertProvider: 'istiod' },
      meshConfig: {},
      caAddress,
    };
  }

  /** Kubernetes CSR API: istiod as RA, signers by name, roots pinned in meshConfig.caCertificates (§3). */
  private kubernetesCsr(o: KubernetesCsrOptions): IntegrationSettings {
    check(NAME, requireFact('istioVersion', this.istioVersion, 'HELM_CERT_SIGNERS', 'CaIntegration.kubernetesCsr'));
    this.noAmbientWith('CaIntegration.kubernetesCsr');
    const def = o.signer.signerName;
    const rootProblem = parseCaBundle('rootCaPem', o.rootCaPem).problem;
    check(NAME, rootProblem);
    const rootsBySigner = new Map<string, string>([[def.full, normalisePem(o.rootCaPem)]]);
    const seenNs = new Set<string>();
    const extra = o.namespaceSigners ?? [];
    for (const ns of extra) {
      check(NAME, namespaceProblem('namespaceSigners.namespace', ns.namespace));
      if (seenNs.has(ns.namespace)) fail(NAME, `'namespaceSigners' lists namespace ${ns.namespace} twice; give each namespace one signer`);
      seenNs.add(ns.namespace);
      if (ns.signer.signerName.domain !== def.domain) {
        fail(NAME, `'namespaceSigners' signer (${ns.signer.signerName.full}) of namespace ${ns.namespace} is not in the domain of ` +
          `the default signer (${def.domain}); istiod joins one CERT_SIGNER_DOMAIN with each proxy's ISTIO_META_CERT_SIGNER, ` +
          'so all signers must share it');
      }
      if (ns.rootCaPem !== undefined) check(NAME, parseCaBundle(`namespaceSigners[${ns.namespace}].rootCaPem`, ns.rootCaPem).problem);
      const pem = normalisePem(ns.rootCaPem ?? o.rootCaPem);
      const known = rootsBySigner.get(ns.signer.signerName.full);
      if (known !== undefined && known !== pem) {
        fail(NAME, `signer ${ns.signer.signerName.full} is given two different roots; give one root per signer`);
      }
      rootsBySigner.set(ns.signer.signerName.full, pem);
      new ProxyConfig(this, `Signer-${ns.namespace}`, {
        metadata: { name: 'istio-custom-ca-signer', namespace: ns.namespace, labels: MANAGED_BY },
        spec: { environmentVariables: { [AGENT_CERT_SIGNER_ENV]: ns.signer.signerName.short } },
      });
    }
    // One caCertificates entry per distinct root, listing the full names of the signers it verifies.
    const byPem = new Map<string, string[]>();
    for (const [signer, pem] of rootsBySigner) byPem.set(pem, [...(byPem.get(pem) ?? []), signer]);
    const caCertificates = [...byPem.entries()].map(([pem, certSigners]) => ({ pem, certSigners: certSigners.sort() }));
    return {
      istiodSigns: true,
      istiodEnv: {
        [ISTIOD_ENV.EXTERNAL_CA]: EXTERNAL_CA_K8S_RA,
        [ISTIOD_ENV.K8S_SIGNER]: def.full,
        [ISTIOD_ENV.CERT_SIGNER_DOMAIN]: def.domain,
      },
      // istiod's own serving cert from the same signer, as the istio.io task does with components.pilot.k8s.env (§3);
      // it replaces the chart's PILOT_CERT_PROVIDER entry. global.pilotCertProvider stays istiod so that sidecars
      // still mount istio-ca-root-cert to verify istiod.
      istiodEnvReplacements: { [ISTIOD_ENV.PILOT_CERT_PROVIDER]: `k8s.io/${def.full}` },
      proxyMetadata: { [AGENT_CERT_SIGNER_ENV]: def.short },
      // istiod creates and approves the CSRs itself: approve RBAC per signer (§3).
      global: { certSigners: [...rootsBySigner.keys()].sort() },
      meshConfig: { caCertificates },
    };
  }
}
