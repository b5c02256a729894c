/**
 * Values for the cert-manager-istio-csr Helm chart (csr deploy/charts/istio-csr/values.yaml v0.17.0;
 * docs/reference.md §2b). Pure data; checked in tests against the chart's values.schema.json.
 */

/** Everything the values depend on. */
export interface IstioCsrSettings {
  readonly issuer: { readonly name: string; readonly kind: string; readonly group: string };
  /** Where istio-csr creates CertificateRequests: istiod's namespace (a namespaced Issuer must live there). */
  readonly istioNamespace: string;
  readonly trustDomain: string;
  readonly clusterId: string;
  readonly maxCertificateDuration: string;
  readonly istiodCertificateDuration: string;
  readonly istiodCertificateRenewBefore: string;
  /** Host of `global.caAddress`, which must be among the serving certificate's DNS names. */
  readonly serviceDnsName: string;
  /** The root bundle volume (a ConfigMap or Secret) and the file inside it. */
  readonly rootCaVolume: Readonly<Record<string, unknown>>;
  readonly rootCaFileName: string;
  /** `istio-system/ztunnel` in ambient mode. */
  readonly caTrustedNodeAccounts?: string;
}

/** Where the root bundle is mounted in the istio-csr pod. */
export const ROOT_CA_MOUNT = '/var/run/secrets/istio-csr/root-ca';

/** The chart values. */
export function istioCsrValues(s: IstioCsrSettings): Record<string, unknown> {
  return {
    app: {
      certmanager: {
        namespace: s.istioNamespace,
        issuer: { name: s.issuer.name, kind: s.issuer.kind, group: s.issuer.group },
      },
      istio: { namespace: s.istioNamespace },
      server: {
        clusterID: s.clusterId,
        maxCertificateDuration: s.maxCertificateDuration,
        ...(s.caTrustedNodeAccounts ? { caTrustedNodeAccounts: s.caTrustedNodeAccounts } : {}),
      },
      tls: {
        trustDomain: s.trustDomain,
        // Pin the root: without it istio-csr trusts whatever CA the issuer returns (signer-hijack risk, §2b).
        rootCAFile: `${ROOT_CA_MOUNT}/${s.rootCaFileName}`,
        certificateDNSNames: [s.serviceDnsName],
        istiodCertificateDuration: s.istiodCertificateDuration,
        istiodCertificateRenewBefore: s.istiodCertificateRenewBefore,
      },
    },
    volumes: [{ name: 'root-ca', ...s.rootCaVolume }],
    volumeMounts: [{ name: 'root-ca', mountPath: ROOT_CA_MOUNT, readOnly: true }],
  };
}
