import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { goDuration, lifetimeMs } from '../../model/durations';
import { check, fail } from '../../model/errors';
import { CaIntegrationType, INTEGRATION_TRAITS } from '../../model/integration-traits';
import { istioCsrValues } from '../../model/istio-csr-values';
import { ISTIO_DEFAULTS, ISTIOD_ENV } from '../../model/istio-settings';
import { csrAtLeast, holds, ISTIO_CSR_MINIMUMS, parseSemver, requireFact } from '../../model/istio-version';
import { namespaceProblem } from '../../model/k8s-names';
import { LIFETIME_RULES, renewBeforeProblem } from '../../model/lifetime-rules';
import { MeshModel } from '../../model/mesh-model';
import { PKI_DEFAULTS } from '../../model/pki-defaults';
import { VaultSignPathKind } from '../../model/vault-sign-path';
import { ICertManagerIssuer } from '../cert-manager-issuer';
import { RootCaBundle } from '../root-ca-bundle';
import {
  ISTIO_CSR_ORGANIZATIONS, ISTIO_CSR_SERVICE_ACCOUNT, ISTIO_CSR_SERVING_USAGES, ISTIO_CSR_WORKLOAD_USAGES, ISTIOD_CERTIFICATE_USAGES,
  istiodCertificateNames, workloadUriPattern,
} from '../../model/issuance-policy';
import { IntegrationContribution, IntegrationVariant, IssuanceContribution } from './integration-variant';
import { requireIssuerIn, signingIssuer } from './issuer-checks';

/** Options of `CaIntegration.istioCsr()` (docs/reference.md §2b). */
export interface IstioCsrOptions {
  /** The issuer istio-csr signs workload and istiod certificates with; it must accept SPIFFE URI SANs. */
  readonly issuer: ICertManagerIssuer;
  /** The root bundle istio-csr pins and distributes (`app.tls.rootCAFile`). */
  readonly rootCaBundle: RootCaBundle;
  /**
   * `app.server.maxCertificateDuration`: workload certificates live min(SECRET_TTL, this).
   * @default Duration.hours(1)
   */
  readonly maxCertificateDuration?: Duration;
  /**
   * `app.tls.istiodCertificateDuration` (cert-manager's minimum is 1h).
   * @default Duration.hours(1)
   */
  readonly istiodCertificateDuration?: Duration;
  /**
   * `app.tls.istiodCertificateRenewBefore`.
   * @default Duration.minutes(30)
   */
  readonly istiodCertificateRenewBefore?: Duration;
  /**
   * Namespace istio-csr is installed in.
   * @default 'cert-manager'
   */
  readonly namespace?: string;
  /**
   * istio-csr release you install; v0.13.0+ is required with Istio 1.24+, v0.12.0+ for ambient.
   * @default 'v0.17.0'
   */
  readonly version?: string;
}

/** The istio-csr chart values file in `install/`. */
export const ISTIO_CSR_VALUES_FILE = 'istio-csr-values.yaml';

/** istio-csr is the CA endpoint; istiod's CA server is off (§2b). */
export class IstioCsr implements IntegrationVariant {
  public readonly type = CaIntegrationType.ISTIO_CSR;
  public readonly traits = INTEGRATION_TRAITS[CaIntegrationType.ISTIO_CSR];
  /** istio-csr's namespace. */
  public readonly namespace: string;

  public constructor(private readonly options: IstioCsrOptions) {
    this.namespace = options.namespace ?? ISTIO_DEFAULTS.istioCsrNamespace;
  }

  /** istio-csr caps every workload certificate at maxCertificateDuration, which is the default lifetime. */
  public defaultWorkloadCertTtlMs(who: string): number {
    return lifetimeMs(who, 'maxCertificateDuration',
      this.options.maxCertificateDuration ?? Duration.millis(ISTIO_DEFAULTS.istioCsrMaxCertificateDurationMs), LIFETIME_RULES.workload);
  }

  public bind(who: string, mesh: MeshModel): IntegrationContribution {
    const o = this.options;
    check(who, requireFact('istioVersion', mesh.istioVersion, 'ISTIOD_WELL_KNOWN_TLS', 'CaIntegration.istioCsr'));
    this.checkVersion(who, mesh);
    check(who, namespaceProblem('istioCsr namespace', this.namespace));
    const maxCertMs = this.defaultWorkloadCertTtlMs(who);
    if (mesh.workloadCertTtlMs > maxCertMs) {
      fail(who, `'workloadCertTtl' (${goDuration(mesh.workloadCertTtlMs)}) exceeds istio-csr 'maxCertificateDuration' (${goDuration(maxCertMs)}), ` +
        'which caps every workload certificate, so SECRET_TTL would not be honoured; lower workloadCertTtl or raise maxCertificateDuration');
    }
    const istiodDuration = lifetimeMs(who, 'istiodCertificateDuration',
      o.istiodCertificateDuration ?? Duration.millis(ISTIO_DEFAULTS.istioCsrIstiodCertificateDurationMs), LIFETIME_RULES.certManagerDuration);
    const istiodRenew = lifetimeMs(who, 'istiodCertificateRenewBefore',
      o.istiodCertificateRenewBefore ?? Duration.millis(PKI_DEFAULTS.istioCsrIstiodRenewBeforeMs), LIFETIME_RULES.certManagerRenewBefore);
    check(who, renewBeforeProblem(istiodDuration, istiodRenew)?.replace(/'renewBefore'/g, "'istiodCertificateRenewBefore'")
      .replace(/'duration'/g, "'istiodCertificateDuration'"));

    const issuer = o.issuer;
    requireIssuerIn(who, issuer, mesh.istioNamespace, 'the CertificateRequests istio-csr creates');
    const vault = issuer.vaultSignPath;
    if (vault !== undefined && vault.kind !== VaultSignPathKind.LEAF) {
      fail(who, `'issuer' path (${vault.path}) signs intermediate CAs, but istio-csr requests workload leaves with SPIFFE URI ` +
        "SANs; point the issuer at a role path '<mount>/sign/<role>' that allows spiffe://<trustDomain>/ns/*/sa/*");
    }
    const bundle = o.rootCaBundle;
    const host = `${ISTIO_DEFAULTS.istioCsrServiceName}.${this.namespace}.svc`;
    const caAddress = `${host}:443`;
    const values = istioCsrValues({
      issuer: issuer.issuerRef,
      istioNamespace: mesh.istioNamespace,
      trustDomain: mesh.trustDomain,
      clusterId: mesh.clusterName,
      maxCertificateDuration: goDuration(maxCertMs),
      istiodCertificateDuration: goDuration(istiodDuration),
      istiodCertificateRenewBefore: goDuration(istiodRenew),
      serviceDnsName: host,
      rootCaVolume: bundle._volume(),
      rootCaFileName: bundle.key,
      caTrustedNodeAccounts: mesh.ambient ? `${mesh.istioNamespace}/ztunnel` : undefined,
    });
    return {
      istiodEnv: { [ISTIOD_ENV.ENABLE_CA_SERVER]: 'false' },
      proxyMetadata: {},
      // Keep istiod as the provider of its own serving cert (it reads istio-csr's istiod-tls, §2b).
      global: { caAddress, pilotCertProvider: 'istiod' },
      caCertificates: [],
      caAddress,
      installFiles: [{
        id: 'IstioCsrHelmValues',
        file: ISTIO_CSR_VALUES_FILE,
        description: 'values for the cert-manager-istio-csr Helm chart; install istio-csr BEFORE Istio:\n' +
          `helm upgrade --install cert-manager-istio-csr jetstack/cert-manager-istio-csr -n ${this.namespace} -f ${ISTIO_CSR_VALUES_FILE}`,
        content: values,
      }],
      notes: this.notes(maxCertMs),
      issuers: [signingIssuer(issuer, 'a certificate for any SPIFFE identity of the mesh', [
        `- It must sign leaves with SPIFFE URI SANs of trust domain \`${mesh.trustDomain}\` (a Vault role path with \`allowed_uri_sans\`),`,
        '  and allow the lifetimes istio-csr requests.',
      ])],
      // istio-csr's static istiod serving Certificate (csr deploy/charts/istio-csr/templates/certificate.yaml).
      watchedCertificates: [{ namespace: mesh.istioNamespace, name: 'istiod', role: 'istiod serving certificate', expiringBelowS: istiodRenew / 2000 }],
      issuance: this.issuance(mesh, host, maxCertMs, istiodDuration),
      render: (scope: Construct) => bundle._render(scope, this.namespace),
    };
  }

  public rotationSteps(): string[] {
    return [];
  }

  /**
   * The three kinds of request: workload leaves and istio-csr's serving certificate (created by istio-csr), and the
   * static `istiod` Certificate of its chart (created by cert-manager's controller), all in istiod's namespace.
   */
  private issuance(mesh: MeshModel, host: string, maxCertMs: number, istiodDurationMs: number): IssuanceContribution {
    if (mesh.ambient) {
      return {
        requests: [], notes: [],
        // ztunnel/src/tls/csr.rs: the boring build writes no subject, the ring build rcgen's default subject (a CN).
        unpolicedWhy: "ztunnel's CSR subject depends on the TLS library ztunnel was built with (ztunnel src/tls/csr.rs), which the " +
          'library cannot verify for your ztunnel image, and a policy that does not allow it would stop every ambient workload from ' +
          'getting a certificate; use IssuancePolicy.certManagerDefaultApprover() with ambient',
      };
    }
    const base = { namespace: mesh.istioNamespace, issuerRef: { ...this.options.issuer.issuerRef } };
    const csr = { namespace: this.namespace, serviceAccount: ISTIO_CSR_SERVICE_ACCOUNT };
    const istiod = istiodCertificateNames(mesh.istioNamespace, mesh.trustDomain);
    return {
      requests: [
        { ...base, id: 'istio-csr-workloads', purpose: 'workload certificates istio-csr requests for sidecars', requester: csr,
          uris: [workloadUriPattern(mesh.trustDomain)], organizations: ISTIO_CSR_ORGANIZATIONS, isCa: false, usages: ISTIO_CSR_WORKLOAD_USAGES,
          maxDurationMs: maxCertMs },
        { ...base, id: 'istio-csr-serving', purpose: "istio-csr's own gRPC serving certificate", requester: csr,
          dnsNames: [host], organizations: ISTIO_CSR_ORGANIZATIONS, isCa: false, usages: ISTIO_CSR_SERVING_USAGES,
          maxDurationMs: ISTIO_DEFAULTS.istioCsrServingCertificateDurationMs },
        { ...base, id: 'istiod', purpose: "istiod's serving certificate (istio-csr chart's `istiod` Certificate)",
          commonName: istiod.commonName, dnsNames: istiod.dnsNames, uris: istiod.uris, isCa: false, usages: ISTIOD_CERTIFICATE_USAGES,
          minDurationMs: istiodDurationMs, maxDurationMs: istiodDurationMs },
      ],
      notes: [],
    };
  }

  private checkVersion(who: string, mesh: MeshModel): void {
    const version = this.options.version ?? ISTIO_DEFAULTS.istioCsrVersion;
    if (!parseSemver(version)) fail(who, `istio-csr 'version' (${version}) is not a version; give e.g. v0.17.0`);
    if (holds('GRPC_ALPN_ENFORCED', mesh.istioVersion) && !csrAtLeast(version, ISTIO_CSR_MINIMUMS.ISTIO_1_24.version)) {
      fail(who, `istio-csr 'version' (${version}) cannot serve Istio ${mesh.istioVersion}: ${ISTIO_CSR_MINIMUMS.ISTIO_1_24.why}; ` +
        `install istio-csr ${ISTIO_CSR_MINIMUMS.ISTIO_1_24.version} or later (docs/reference.md §2b)`);
    }
    if (mesh.ambient && !csrAtLeast(version, ISTIO_CSR_MINIMUMS.AMBIENT.version)) {
      fail(who, `istio-csr 'version' (${version}) cannot serve an ambient mesh: ${ISTIO_CSR_MINIMUMS.AMBIENT.why}; ` +
        `install istio-csr ${ISTIO_CSR_MINIMUMS.AMBIENT.version} or later`);
    }
  }

  private notes(maxCertMs: number): string[] {
    const bundle = this.options.rootCaBundle;
    return [
      '## cert-manager istio-csr',
      '',
      '1. Install cert-manager, apply the manifests (issuer, root bundle), and create the root bundle',
      `   \`${bundle.name}\` (key \`${bundle.key}\`) in \`${this.namespace}\` if it is not a trust-manager Bundle.`,
      `2. Install istio-csr with \`${ISTIO_CSR_VALUES_FILE}\` BEFORE Istio: installing it after Istio is unsupported.`,
      '3. Install or upgrade Istio with the install config (`global.caAddress` points sidecars at istio-csr,',
      '   istiod env `ENABLE_CA_SERVER=false`, `pilotCertProvider: istiod`).',
      '- istiod metrics `citadel_server_*` disappear in this mode: watch istio-csr and cert-manager instead.',
      `- Workload certificates live at most ${goDuration(maxCertMs)} (istio-csr maxCertificateDuration).`,
    ];
  }
}
