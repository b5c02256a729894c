import { check } from '../../model/errors';
import { CaIntegrationType, INTEGRATION_TRAITS } from '../../model/integration-traits';
import { ISTIO_DEFAULTS } from '../../model/istio-settings';
import { holds, requireFact } from '../../model/istio-version';
import { MeshModel } from '../../model/mesh-model';
import { IntegrationContribution, IntegrationVariant, PLUGIN_LOG } from './integration-variant';
import { pluginCaEnv } from './plugin-ca-env';

/** Key layouts of a hand-made `cacerts` Secret (docs/reference.md §1.1). */
export enum CacertsLayout {
  /** `ca-cert.pem`, `ca-key.pem`, `root-cert.pem`, `cert-chain.pem` (any Istio version; optional `ca-crl.pem`). */
  ISTIO = 'ISTIO',
  /** kubernetes.io/tls: `tls.crt`, `tls.key`, `ca.crt` (Istio 1.15+). */
  KUBERNETES_TLS = 'KUBERNETES_TLS',
}

/** Options of `CaIntegration.manualPluginCa()`. */
export interface ManualPluginCaOptions {
  /**
   * Key layout of the `cacerts` Secret you create.
   * @default CacertsLayout.ISTIO
   */
  readonly layout?: CacertsLayout;
}

/** Layout facts: the files of each `cacerts` layout and the Istio version that reads it. */
const LAYOUTS: Readonly<Record<CacertsLayout, { readonly files: string; readonly needsTlsLayout: boolean }>> = {
  [CacertsLayout.ISTIO]: {
    files: '`ca-cert.pem` (signing intermediate), `ca-key.pem` (its key), `root-cert.pem` (root bundle) and `cert-chain.pem` ' +
      '(intermediate + root); optional `ca-crl.pem`',
    needsTlsLayout: false,
  },
  [CacertsLayout.KUBERNETES_TLS]: {
    files: '`tls.crt` (signing intermediate), `tls.key` (its key) and `ca.crt` (root bundle); Istio 1.15+ reads this layout',
    needsTlsLayout: true,
  },
};

/** You create `cacerts` out of band; only Istio is configured (§1). */
export class ManualPluginCa implements IntegrationVariant {
  public readonly type = CaIntegrationType.MANUAL_PLUGIN_CA;
  public readonly traits = INTEGRATION_TRAITS[CaIntegrationType.MANUAL_PLUGIN_CA];
  /** The key layout of `cacerts`. */
  public readonly layout: CacertsLayout;

  public constructor(options: ManualPluginCaOptions) {
    this.layout = options.layout ?? CacertsLayout.ISTIO;
  }

  public defaultWorkloadCertTtlMs(): number {
    return ISTIO_DEFAULTS.secretTtlMs;
  }

  public bind(who: string, mesh: MeshModel): IntegrationContribution {
    const layout = LAYOUTS[this.layout];
    if (layout.needsTlsLayout) check(who, requireFact('istioVersion', mesh.istioVersion, 'TLS_LAYOUT_CACERTS', 'CacertsLayout.KUBERNETES_TLS'));
    return {
      istiodEnv: pluginCaEnv(mesh.istioVersion),
      proxyMetadata: {},
      global: {},
      caCertificates: [],
      installFiles: [],
      notes: [
        '## Manual plug-in CA (`cacerts` created out of band)',
        '',
        `1. Create Secret \`cacerts\` in \`${mesh.istioNamespace}\` before installing Istio, with ${layout.files}.`,
        '   Since Istio 1.27 an incomplete bundle makes istiod fail; before, it silently fell back to a self-signed CA.',
        '2. Install or upgrade Istio with the install config.',
        `3. Check istiod's log: ${PLUGIN_LOG}.`,
        '- The key is in the cluster: restrict who can read Secrets in the istiod namespace.',
      ],
      issuers: [],
      watchedCertificates: [],
      issuance: {
        requests: [], notes: [],
        unpolicedWhy: '`cacerts` is created out of band, so no CertificateRequest of this mesh passes through cert-manager and a ' +
          'CertificateRequestPolicy would govern nothing; enforce issuance at the CA that signs your intermediate',
      },
      render: () => undefined,
    };
  }

  public rotationSteps(phase: number, mesh: MeshModel): string[] {
    if (phase === 1) {
      const byteAppend = holds('MULTIROOT_BYTE_APPEND', mesh.istioVersion);
      return [`- In \`cacerts\`, set \`root-cert.pem\` to the current root followed by the new one${byteAppend
        ? ' by appending the new PEM after the old bytes (Istio 1.20-1.29 accept only a bundle that byte-contains the old one)'
        : ''}; keep ca-cert/ca-key/cert-chain.`];
    }
    return ['- Replace `ca-cert.pem`, `ca-key.pem` and `cert-chain.pem` in `cacerts` with an intermediate signed by the new root; keep `root-cert.pem` (A+B) unchanged.'];
  }
}
