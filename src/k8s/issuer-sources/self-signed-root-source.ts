import { Duration } from 'cdk8s';
import { Certificate, CertificateSpecUsages } from '../../imports/certificates-cert-manager.io';
import { CERT_MANAGER_GROUP } from '../../model/cert-manager';
import { goDuration, lifetimeMs } from '../../model/durations';
import { check } from '../../model/errors';
import { commonNameProblem } from '../../model/identity';
import { objectNameProblem } from '../../model/k8s-names';
import { LIFETIME_RULES } from '../../model/lifetime-rules';
import { PKI_DEFAULTS } from '../../model/pki-defaults';
import { MANAGED_BY } from '../_scope';
import { privateKeySpec, PrivateKeyOptions } from '../private-key';
import { IssuerRenderContext, IssuerSourceVariant, RenderedSource } from './issuer-source-variant';

/** Options of `IssuerSource.selfSignedRoot()`. */
export interface SelfSignedRootOptions {
  /** Common name of the root certificate. */
  readonly commonName: string;
  /**
   * Lifetime of the root certificate.
   * @default Duration.hours(87600) (10 years)
   */
  readonly duration?: Duration;
  /**
   * Key of the root.
   * @default - RSA 2048
   */
  readonly privateKey?: PrivateKeyOptions;
}

/** SelfSigned issuer → root Certificate (isCA) → Secret `<name>-root` that the CA issuer reads (cmweb .../selfsigned.md). */
export class SelfSignedRootSource implements IssuerSourceVariant {
  /** Lifetime of the root. */
  public readonly rootDuration: Duration;

  public constructor(private readonly options: SelfSignedRootOptions) {
    check('IssuerSource', commonNameProblem('commonName', options.commonName));
    this.rootDuration = options.duration ?? Duration.millis(PKI_DEFAULTS.rootTtlMs);
    lifetimeMs('IssuerSource', 'duration', this.rootDuration, LIFETIME_RULES.certManagerDuration);
  }

  public render(ctx: IssuerRenderContext): RenderedSource {
    const bootstrapName = `${ctx.name}-selfsigned`;
    const secretName = `${ctx.name}-root`;
    check(ctx.who, objectNameProblem('name', bootstrapName));
    const privateKey = privateKeySpec(ctx.who, this.options.privateKey, false);
    ctx.issuerObject('SelfSigned', bootstrapName, { selfSigned: {} });
    new Certificate(ctx.scope, 'Root', {
      metadata: { name: secretName, namespace: ctx.secretNamespace, labels: MANAGED_BY },
      spec: {
        isCa: true,
        commonName: this.options.commonName,
        secretName,
        duration: goDuration(this.rootDuration.toMilliseconds()),
        privateKey,
        usages: [CertificateSpecUsages.DIGITAL_SIGNATURE, CertificateSpecUsages.CERT_SIGN, CertificateSpecUsages.CRL_SIGN],
        issuerRef: { name: bootstrapName, kind: ctx.kind, group: CERT_MANAGER_GROUP },
      },
    });
    return { spec: { ca: { secretName } }, rootCertificate: { namespace: ctx.secretNamespace, name: secretName } };
  }
}
