import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { Certificate, CertificateSpecUsages } from '../../imports/certificates-cert-manager.io';
import { goDuration, lifetimeMs } from '../../model/durations';
import { check, fail } from '../../model/errors';
import { commonNameProblem } from '../../model/identity';
import { CaIntegrationType, INTEGRATION_TRAITS } from '../../model/integration-traits';
import { CACERTS_SECRET, ISTIO_DEFAULTS, RESTART_ANNOTATION } from '../../model/istio-settings';
import { requireFact } from '../../model/istio-version';
import { LIFETIME_RULES, renewBeforeProblem, signerOutlivesProblem } from '../../model/lifetime-rules';
import { MeshModel } from '../../model/mesh-model';
import { PKI_DEFAULTS } from '../../model/pki-defaults';
import { VaultSignPathKind } from '../../model/vault-sign-path';
import { MANAGED_BY } from '../_scope';
import { ICertManagerIssuer } from '../cert-manager-issuer';
import { privateKeySpec, PrivateKeyOptions } from '../private-key';
import { IntegrationContribution, IntegrationVariant, PLUGIN_LOG } from './integration-variant';
import { requireIssuerIn, signingIssuer } from './issuer-checks';
import { pluginCaEnv } from './plugin-ca-env';

/** Options of `CaIntegration.certManagerPluginCa()`. */
export interface CertManagerPluginCaOptions {
  /** The issuer that signs the intermediate; it must be able to issue CA certificates. */
  readonly issuer: ICertManagerIssuer;
  /**
   * Lifetime of the intermediate. Must exceed `maxWorkloadCertTtl`.
   * @default Duration.hours(8760) (1 year)
   */
  readonly duration?: Duration;
  /**
   * How long before expiry cert-manager renews the intermediate. Must be shorter than `duration` and at
   * least `workloadCertTtl`.
   * @default Duration.hours(2160) (90 days)
   */
  readonly renewBefore?: Duration;
  /**
   * Key of the intermediate; rotated on every renewal (`rotationPolicy: Always`).
   * @default - RSA 2048
   */
  readonly privateKey?: PrivateKeyOptions;
  /**
   * Common name of the intermediate.
   * @default 'istio-intermediate-ca'
   */
  readonly commonName?: string;
}

/**
 * Usages of an intermediate CA certificate cert-manager issues (`cacerts`; a fleet cluster's istio-csr CA): Istio's own
 * intermediate profile (istio tools/certs/common.mk); isCA adds cert sign anyway.
 */
export const CACERTS_USAGES = [CertificateSpecUsages.DIGITAL_SIGNATURE, CertificateSpecUsages.KEY_ENCIPHERMENT, CertificateSpecUsages.CERT_SIGN] as const;

/** cert-manager keeps the intermediate in `cacerts`; istiod signs with it and reloads it on renewal (§1, §2a). */
export class CertManagerPluginCa implements IntegrationVariant {
  public readonly type = CaIntegrationType.CERT_MANAGER_PLUGIN_CA;
  public readonly traits = INTEGRATION_TRAITS[CaIntegrationType.CERT_MANAGER_PLUGIN_CA];

  public constructor(private readonly options: CertManagerPluginCaOptions) {}

  public defaultWorkloadCertTtlMs(): number {
    return ISTIO_DEFAULTS.secretTtlMs;
  }

  public bind(who: string, mesh: MeshModel): IntegrationContribution {
    const o = this.options;
    check(who, requireFact('istioVersion', mesh.istioVersion, 'TLS_LAYOUT_CACERTS', 'CaIntegration.certManagerPluginCa'));
    const d = lifetimeMs(who, 'duration', o.duration ?? Duration.millis(PKI_DEFAULTS.intermediateDurationMs), LIFETIME_RULES.certManagerDuration);
    const rb = lifetimeMs(who, 'renewBefore', o.renewBefore ?? Duration.millis(PKI_DEFAULTS.intermediateRenewBeforeMs),
      LIFETIME_RULES.certManagerRenewBefore);
    check(who, renewBeforeProblem(d, rb));
    if (o.commonName !== undefined) check(who, commonNameProblem('commonName', o.commonName));
    const issuer = o.issuer;
    requireIssuerIn(who, issuer, mesh.istioNamespace, "'cacerts'");
    const vault = issuer.vaultSignPath;
    if (vault !== undefined && vault.kind !== VaultSignPathKind.INTERMEDIATE) {
      fail(who, `'issuer' path (${vault.path}) is a Vault role sign path, which only issues leaf certificates ` +
        "(CA:FALSE), so it cannot issue the Istio intermediate; point the issuer at '<mount>/root/sign-intermediate'");
    }
    if (issuer.rootDuration !== undefined) {
      check(who, signerOutlivesProblem(`the self-signed root of 'issuer' (${issuer.name})`, issuer.rootDuration.toMilliseconds(), d));
    }
    const privateKey = privateKeySpec(who, o.privateKey);
    const ns = mesh.istioNamespace;
    return {
      istiodEnv: pluginCaEnv(mesh.istioVersion),
      proxyMetadata: {},
      global: {},
      caCertificates: [],
      intermediate: { durationMs: d, renewBeforeMs: rb },
      installFiles: [],
      notes: [
        '## cert-manager plug-in CA (`cacerts`)',
        '',
        '1. Install cert-manager, then apply the manifests (issuer and the `cacerts` Certificate).',
        `2. Wait until \`kubectl -n ${ns} get certificate cacerts\` is Ready, so that istiod starts with the plug-in CA.`,
        '3. Install or upgrade Istio with the install config.',
        `4. Check istiod's log: ${PLUGIN_LOG}.`,
        '- `ca.crt` in `cacerts` becomes the mesh root: the issuer must return the real root (a CA issuer whose Secret',
        '  holds the full chain, or Vault `root/sign-intermediate` at the root mount).',
        '- Renewals are picked up without restart on Istio 1.19+ (1.15-1.17: `AUTO_RELOAD_PLUGIN_CERTS=true` is set for you).',
        '- A root change arrives as a replacement `ca.crt`, which istiod refuses at runtime: rotate roots with a staged plan.',
      ],
      issuers: [signingIssuer(issuer, 'an intermediate CA certificate under the mesh root', [
        '- It must issue CA certificates (a CA issuer, or Vault `…/root/sign-intermediate`, never a role `sign/<role>` path).',
        '- Its CA must outlive the intermediate `duration`, and `ca.crt` it returns becomes the mesh root.',
      ])],
      watchedCertificates: [{ namespace: ns, name: CACERTS_SECRET, role: 'istiod signing intermediate', expiringBelowS: rb / 2000 }],
      intermediateExpiringBelowS: rb / 2000,
      // cert-manager's controller requests `cacerts` for the Certificate below, with the usages it lists.
      issuance: {
        requests: [{
          id: CACERTS_SECRET, purpose: 'the `cacerts` intermediate istiod signs with', namespace: ns, issuerRef: { ...issuer.issuerRef },
          commonName: o.commonName ?? PKI_DEFAULTS.intermediateCommonName, isCa: true, usages: [...CACERTS_USAGES],
          minDurationMs: d, maxDurationMs: d,
        }],
        notes: [],
      },
      render: (scope: Construct) => {
        new Certificate(scope, 'Resource', {
          metadata: { name: CACERTS_SECRET, namespace: ns, labels: MANAGED_BY },
          spec: {
            secretName: CACERTS_SECRET,
            isCa: true,
            commonName: o.commonName ?? PKI_DEFAULTS.intermediateCommonName,
            duration: goDuration(d),
            renewBefore: goDuration(rb),
            privateKey,
            usages: [...CACERTS_USAGES],
            issuerRef: { ...issuer.issuerRef },
          },
        });
      },
    };
  }

  public rotationSteps(phase: number): string[] {
    return phase === 2
      ? ['- cert-manager re-issues `cacerts` with the new root in `ca.crt`; istiod refuses that root change at runtime, so the phase ' +
        `changes istiod's pod annotation \`${RESTART_ANNOTATION}\` and istiod restarts (§6.2).`]
      : [];
  }
}
