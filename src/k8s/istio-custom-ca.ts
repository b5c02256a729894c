import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { Certificate, CertificateSpecUsages } from '../imports/certificates-cert-manager.io';
import { goDuration } from '../model/durations';
import { check, fail } from '../model/errors';
import { DEFAULT_TRUST_DOMAIN, trustDomainProblem } from '../model/identity';
import { InstallSettings, istioOperator, istiodHelmValues } from '../model/install-config';
import { DEFAULT_ISTIO_VERSION, holds, istioVersionProblem, requireFact } from '../model/istio-version';
import { AGENT_ENV, CACERTS_SECRET, ISTIO_DEFAULTS, ISTIOD_ENV } from '../model/istio-settings';
import { namespaceProblem } from '../model/k8s-names';
import {
  certManagerMinimumProblem, graceRatioProblem, intermediateOutlivesLeafProblem, positiveProblem,
  renewalCoversLeafProblem, renewBeforeProblem, signerOutlivesProblem, workloadTtlProblem,
} from '../model/lifetime-rules';
import { MANAGED_BY } from './_scope';
import { CaIntegration, CaIntegrationType, CertManagerPluginCaOptions } from './ca-integration';
import { IssuerKind } from './cert-manager-issuer';
import { VaultSignPathKind, vaultSignPathKind } from './issuer-source';
import { InstallFile } from './install-file';
import { privateKeySpec } from './private-key';

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
   * @default Duration.hours(24)
   */
  readonly workloadCertTtl?: Duration;
  /**
   * Fraction of life remaining when a sidecar renews: proxyMetadata `SECRET_GRACE_PERIOD_RATIO`.
   * @default 0.5
   */
  readonly gracePeriodRatio?: number;
  /**
   * Largest lifetime istiod signs; larger requests fail with TTL_ERROR: istiod env `MAX_WORKLOAD_CERT_TTL`.
   * @default Duration.hours(2160)
   */
  readonly maxWorkloadCertTtl?: Duration;
  /**
   * Istio version targeted, `1.<minor>`; picks API versions and refuses integrations that do not work there.
   * @default '1.30'
   */
  readonly istioVersion?: string;
}

/**
 * Plugs a custom CA into Istio workload mTLS: the cluster objects (the `cacerts` Certificate) and the Istio
 * install configuration (IstioOperator for `istioctl install -f` and istiod Helm values, written to
 * `install/` by `MeshApp`).
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
  /** istiod's `MAX_WORKLOAD_CERT_TTL`. */
  public readonly maxWorkloadCertTtl: Duration;
  /** The integration in use. */
  public readonly integration: CaIntegration;
  /** Intermediate lifetime, for plug-in CA integrations. */
  public readonly intermediateDuration?: Duration;
  /** Intermediate renewBefore, for plug-in CA integrations. */
  public readonly intermediateRenewBefore?: Duration;
  private readonly settings: InstallSettings;

  public constructor(scope: Construct, id: string, props: IstioCustomCaProps) {
    super(scope, id);
    this.integration = props.integration;
    this.trustDomain = props.trustDomain ?? DEFAULT_TRUST_DOMAIN;
    this.istioNamespace = props.istioNamespace ?? ISTIO_DEFAULTS.istioNamespace;
    this.istioVersion = props.istioVersion ?? DEFAULT_ISTIO_VERSION;
    this.workloadCertTtl = props.workloadCertTtl ?? Duration.millis(ISTIO_DEFAULTS.secretTtlMs);
    this.gracePeriodRatio = props.gracePeriodRatio ?? ISTIO_DEFAULTS.gracePeriodRatio;
    this.maxWorkloadCertTtl = props.maxWorkloadCertTtl ?? Duration.millis(ISTIO_DEFAULTS.maxWorkloadCertTtlMs);

    check(NAME, trustDomainProblem('trustDomain', this.trustDomain));
    check(NAME, namespaceProblem('istioNamespace', this.istioNamespace));
    check(NAME, istioVersionProblem('istioVersion', this.istioVersion));
    const ttl = this.workloadCertTtl.toMilliseconds();
    const maxTtl = this.maxWorkloadCertTtl.toMilliseconds();
    check(NAME, positiveProblem('workloadCertTtl', ttl));
    check(NAME, positiveProblem('maxWorkloadCertTtl', maxTtl));
    check(NAME, workloadTtlProblem(ttl, maxTtl));
    check(NAME, graceRatioProblem(this.gracePeriodRatio));

    const istiodEnv: Record<string, string> = { [ISTIOD_ENV.MAX_WORKLOAD_CERT_TTL]: goDuration(maxTtl) };
    switch (this.integration.type) {
      case CaIntegrationType.CERT_MANAGER_PLUGIN_CA: {
        const o = this.integration.pluginCaOptions!;
        this.intermediateDuration = o.duration ?? Duration.hours(8760);
        this.intermediateRenewBefore = o.renewBefore ?? Duration.hours(2160);
        this.pluginCaCertificate(o, this.intermediateDuration, this.intermediateRenewBefore);
        // 1.12–1.17 reload `cacerts` only with this flag; 1.18 defaults it on; 1.19+ removed it (§1.2).
        if (holds('CACERTS_RELOAD_FLAG_OFF', this.istioVersion)) istiodEnv[ISTIOD_ENV.AUTO_RELOAD_PLUGIN_CERTS] = 'true';
        break;
      }
    }

    this.settings = {
      istioVersion: this.istioVersion,
      istioNamespace: this.istioNamespace,
      trustDomain: this.trustDomain,
      proxyMetadata: {
        [AGENT_ENV.SECRET_TTL]: goDuration(ttl),
        [AGENT_ENV.SECRET_GRACE_PERIOD_RATIO]: String(this.gracePeriodRatio),
      },
      istiodEnv,
    };
    new InstallFile(this, 'IstioOperator', 'istio-operator.yaml',
      'IstioOperator for `istioctl install -f` (a file only: the IstioOperator CRD is not installed in clusters)',
      () => this.toIstioOperator());
    new InstallFile(this, 'IstiodHelmValues', 'istiod-values.yaml',
      'values for the istiod (istio-discovery) Helm chart: `helm upgrade --install istiod istio/istiod -f`',
      () => this.toIstiodHelmValues());
  }

  /** The IstioOperator document for `istioctl install -f` (istio-ca-facts.md §9). */
  public toIstioOperator(): Record<string, unknown> {
    return istioOperator(this.settings, 'istio-custom-ca');
  }

  /** The equivalent istiod Helm chart values. */
  public toIstiodHelmValues(): Record<string, unknown> {
    return istiodHelmValues(this.settings);
  }

  /** `cacerts` in istiod's namespace: isCA, rotated key, Istio's intermediate usages (istio-ca-facts.md §2a). */
  private pluginCaCertificate(o: CertManagerPluginCaOptions, duration: Duration, renewBefore: Duration): ApiObject {
    check(NAME, requireFact('istioVersion', this.istioVersion, 'TLS_LAYOUT_CACERTS', 'CaIntegration.certManagerPluginCa'));
    const d = duration.toMilliseconds();
    const rb = renewBefore.toMilliseconds();
    check(NAME, certManagerMinimumProblem('duration', d));
    check(NAME, renewBeforeProblem(d, rb));
    check(NAME, intermediateOutlivesLeafProblem(d, this.maxWorkloadCertTtl.toMilliseconds()));
    check(NAME, renewalCoversLeafProblem(rb, this.workloadCertTtl.toMilliseconds()));

    const issuer = o.issuer;
    if (issuer.kind === IssuerKind.ISSUER && issuer.namespace !== this.istioNamespace) {
      fail(NAME, `'issuer' (Issuer ${issuer.namespace}/${issuer.name}) is a namespaced Issuer outside ` +
        `'istioNamespace' (${this.istioNamespace}), so it cannot sign 'cacerts' there; use a ClusterIssuer or an ` +
        `Issuer in ${this.istioNamespace}`);
    }
    const vaultPath = issuer.source.vaultOptions?.path;
    if (vaultPath !== undefined && vaultSignPathKind(vaultPath) !== VaultSignPathKind.INTERMEDIATE) {
      fail(NAME, `'issuer' path (${vaultPath}) is a Vault role sign path, which only issues leaf certificates ` +
        "(CA:FALSE), so it cannot issue the Istio intermediate; point the issuer at '<mount>/root/sign-intermediate'");
    }
    if (issuer.rootDuration !== undefined) {
      check(NAME, signerOutlivesProblem(`the self-signed root of 'issuer' (${issuer.name})`, issuer.rootDuration.toMilliseconds(), d));
    }

    return new Certificate(this, 'Resource', {
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
  }
}
