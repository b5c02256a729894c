import { X509Certificate } from 'node:crypto';
import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { Certificate } from '../imports/certificates-cert-manager.io';
import { goDuration } from '../model/durations';
import { check, fail } from '../model/errors';
import { CERT_MANAGER_DEFAULTS } from '../model/cert-manager';
import { PKI_DEFAULTS } from '../model/pki-defaults';
import { objectNameProblem } from '../model/k8s-names';
import { parseCaBundle, pemCertificates } from '../model/pem';
import { MANAGED_BY } from './_scope';
import { CaIntegration } from './ca-integration';
import { CertManagerIssuer, IssuerKind } from './cert-manager-issuer';
import { CACERTS_USAGES } from './integrations/cert-manager-plugin-ca';
import { CsrSigner } from './integrations/kubernetes-csr';
import { privateKeySpec } from './private-key';
import { IssuerSource } from './issuer-source';
import { RootCaBundle, TrustSource } from './root-ca-bundle';

/** How a cluster of a `ClusterFleet` plugs the fleet root into Istio. */
export enum FleetIntegration {
  /** istiod signs with a per-cluster intermediate in `cacerts`. */
  PLUGIN_CA = 'PLUGIN_CA',
  /** istio-csr signs workload certificates through cert-manager, under a per-cluster intermediate. */
  ISTIO_CSR = 'ISTIO_CSR',
  /**
   * istiod is a registration authority for the Kubernetes CSR API; cert-manager's CSR signer signs under a per-cluster
   * intermediate (ClusterIssuer `istio-ca`; experimental upstream, docs/reference.md §3).
   */
  KUBERNETES_CSR = 'KUBERNETES_CSR',
}

/** A root held by a cert-manager CA issuer in each cluster. */
export interface CertManagerCaRootOptions {
  /**
   * Secret in each cluster's istiod namespace with the root's `tls.crt` and `tls.key`; you create it (the library
   * never writes a key).
   */
  readonly secretName: string;
  /** The root's public certificate (PEM): pinned for istio-csr clusters, and its fingerprint checked in NOTES.md. */
  readonly rootPem: string;
}

/** A root kept offline: only its public certificate is given. */
export interface OfflineRootOptions {
  /** The root's public certificate (PEM). */
  readonly rootPem: string;
}

/** One cluster as a fleet root sees it. */
export interface FleetRootCluster {
  readonly name: string;
  readonly integration: FleetIntegration;
  readonly istioNamespace: string;
  readonly intermediateCommonName: string;
  /** Validated by the fleet. */
  readonly intermediateDuration: Duration;
  /**
   * Validated by the fleet; as given (a root that issues intermediates itself applies its default).
   * @default - none given
   */
  readonly intermediateRenewBefore?: Duration;
}

/** What a fleet root gives one cluster: the integration, and the steps a person takes before its manifests. */
export interface FleetClusterCa {
  readonly integration: CaIntegration;
  readonly steps: string[];
  /**
   * Why the cluster makes a cert-manager request an approver-policy set would not cover.
   * @default - none
   */
  readonly extraRequests?: string;
}

const ISTIO_CSR_CA = 'istio-ca';
const DAY_MS = 86_400_000;
const ROOT_BUNDLE = 'istio-root-ca';

/**
 * The root a `ClusterFleet` hangs every cluster's intermediate under, when it is not in Vault (`MeshFleet` is): a
 * cert-manager CA issuer holding the root in each cluster, or an offline root whose intermediates you sign by hand.
 */
export abstract class FleetRoot {
  /**
   * The root lives in a Secret in every cluster's istiod namespace, behind a cert-manager CA issuer there; cert-manager
   * issues each cluster's intermediate from it. Simple, but the root's key is in every cluster: prefer `offline()`.
   */
  public static certManagerCa(options: CertManagerCaRootOptions): FleetRoot {
    return new CertManagerCaRoot(options);
  }

  /** The root stays offline; you sign one intermediate per cluster and put it into the cluster (NOTES.md says how). */
  public static offline(options: OfflineRootOptions): FleetRoot {
    return new OfflineRoot(options.rootPem);
  }

  /** The root's public certificate (normalised PEM). */
  public readonly rootPem: string;
  /** SHA-256 fingerprint of the root, as openssl prints it. */
  public readonly fingerprint: string;

  protected constructor(who: string, rootPem: string) {
    check(who, parseCaBundle('rootPem', rootPem).problem);
    const certs = pemCertificates(rootPem);
    if (certs.length !== 1) fail(who, `'rootPem' holds ${certs.length} certificates; give the one root`);
    this.rootPem = certs[0];
    this.fingerprint = new X509Certificate(certs[0]).fingerprint256;
  }

  /** One line for the fleet notes: where the root is. */
  public abstract readonly description: string;

  /**
   * Adds the cluster's issuers to `scope` and returns its integration and manual steps.
   * @internal
   */
  public abstract _cluster(scope: Construct, c: FleetRootCluster): FleetClusterCa;

  /**
   * Where the cluster's signing intermediate lives for istio-csr and the Kubernetes CSR route: the istiod namespace
   * (istio-csr's namespaced Issuer), or cert-manager's cluster resource namespace (a ClusterIssuer reads its Secret
   * there; cert-manager signs Kubernetes CSRs for ClusterIssuers without more RBAC).
   */
  protected static intermediateNamespace(c: FleetRootCluster): string {
    return c.integration === FleetIntegration.KUBERNETES_CSR ? CERT_MANAGER_DEFAULTS.clusterResourceNamespace : c.istioNamespace;
  }

  /**
   * istio-csr or the Kubernetes CSR route, signing with a CA issuer over Secret `istio-ca-<name>` (the cluster's
   * intermediate); the root pinned (istio-csr: through trust-manager; Kubernetes CSR: in meshConfig).
   */
  protected signingIntegration(scope: Construct, c: FleetRootCluster): CaIntegration {
    const source = IssuerSource.ca({ secretName: `${ISTIO_CSR_CA}-${c.name}` });
    if (c.integration === FleetIntegration.KUBERNETES_CSR) {
      const signer = new CertManagerIssuer(scope, 'SigningCa', { name: ISTIO_CSR_CA, kind: IssuerKind.CLUSTER_ISSUER, source });
      return CaIntegration.kubernetesCsr({ signer: CsrSigner.certManagerIssuer(signer), rootCaPem: this.rootPem });
    }
    const issuer = new CertManagerIssuer(scope, 'SigningCa', { name: ISTIO_CSR_CA, kind: IssuerKind.ISSUER, namespace: c.istioNamespace, source });
    return CaIntegration.istioCsr({ issuer, rootCaBundle: RootCaBundle.trustManager({ name: ROOT_BUNDLE, sources: [TrustSource.inline(this.rootPem)] }) });
  }
}

class CertManagerCaRoot extends FleetRoot {
  public readonly description: string;
  private readonly secretName: string;

  public constructor(o: CertManagerCaRootOptions) {
    super('FleetRoot.certManagerCa', o.rootPem);
    check('FleetRoot.certManagerCa', objectNameProblem('secretName', o.secretName));
    this.secretName = o.secretName;
    this.description = `a cert-manager CA issuer over Secret \`${o.secretName}\` in each cluster's istiod namespace`;
  }

  public _cluster(scope: Construct, c: FleetRootCluster): FleetClusterCa {
    // Scoped to the one namespace whose Certificates it signs.
    const ns = c.integration === FleetIntegration.PLUGIN_CA ? c.istioNamespace : FleetRoot.intermediateNamespace(c);
    const root = new CertManagerIssuer(scope, 'FleetRoot', {
      name: this.secretName, kind: IssuerKind.ISSUER, namespace: ns, source: IssuerSource.ca({ secretName: this.secretName }),
    });
    const steps = [
      `- Create Secret \`${this.secretName}\` in \`${ns}\` with the root's \`tls.crt\` and \`tls.key\` ` +
        '(`kubectl create secret tls`). The root key is then in this cluster: keep the namespace\'s RBAC tight, or use `FleetRoot.offline()`.',
    ];
    const d = c.intermediateDuration.toMilliseconds();
    const rb = (c.intermediateRenewBefore ?? Duration.millis(PKI_DEFAULTS.intermediateRenewBeforeMs)).toMilliseconds();
    if (c.intermediateRenewBefore === undefined && rb >= d) {
      fail('FleetRoot.certManagerCa', `'intermediateDuration' (${goDuration(d)}) must be longer than the default 'intermediateRenewBefore' ` +
        `(${goDuration(rb)}), or cert-manager ignores it; set intermediateRenewBefore`);
    }
    if (c.integration === FleetIntegration.PLUGIN_CA) {
      return {
        integration: CaIntegration.certManagerPluginCa({
          issuer: root, commonName: c.intermediateCommonName, duration: c.intermediateDuration, renewBefore: Duration.millis(rb),
        }),
        steps,
      };
    }
    // cert-manager issues the cluster's intermediate from the root; istio-csr or cert-manager's CSR signer signs under it.
    new Certificate(scope, 'Intermediate', {
      metadata: { name: `${ISTIO_CSR_CA}-${c.name}`, namespace: ns, labels: MANAGED_BY },
      spec: {
        secretName: `${ISTIO_CSR_CA}-${c.name}`, isCa: true, commonName: c.intermediateCommonName,
        duration: goDuration(d), renewBefore: goDuration(rb), privateKey: privateKeySpec(`ClusterFleet: cluster '${c.name}'`), usages: [...CACERTS_USAGES], issuerRef: { ...root.issuerRef },
      },
    });
    return {
      integration: this.signingIntegration(scope, c), steps,
      extraRequests: `cert-manager requests the cluster's intermediate (Certificate ${ISTIO_CSR_CA}-${c.name}) from the root, and no policy covers it`,
    };
  }
}

class OfflineRoot extends FleetRoot {
  public readonly description = 'offline: only its public certificate is here; you sign each cluster\'s intermediate';

  public constructor(rootPem: string) {
    super('FleetRoot.offline', rootPem);
  }

  public _cluster(scope: Construct, c: FleetRootCluster): FleetClusterCa {
    const ms = c.intermediateDuration.toMilliseconds();
    if (c.intermediateRenewBefore !== undefined) {
      fail('FleetRoot.offline', `'intermediateRenewBefore' (${goDuration(c.intermediateRenewBefore.toMilliseconds())}) does not apply: nothing renews ` +
        'an intermediate you sign offline (you do, before it expires); remove it');
    }
    // openssl signs for whole days.
    if (ms < DAY_MS) fail('FleetRoot.offline', `'intermediateDuration' (${goDuration(ms)}) must be at least 24h: you sign it with openssl for whole days`);
    const days = Math.floor(ms / DAY_MS);
    const sign = [
      `  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca-key.pem -subj "/CN=${c.intermediateCommonName}" -out ${c.name}.csr`,
      `  # on the offline root: CA:TRUE, pathlen:0, keyCertSign, ${days} days`,
      `  openssl x509 -req -in ${c.name}.csr -CA root-cert.pem -CAkey root-key.pem -days ${days} -out ca-cert.pem \\`,
      '    -extfile <(printf "basicConstraints=critical,CA:TRUE,pathlen:0\\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature")',
      '  cat ca-cert.pem root-cert.pem > cert-chain.pem',
    ];
    if (c.integration === FleetIntegration.PLUGIN_CA) {
      return {
        integration: CaIntegration.manualPluginCa(),
        steps: [
          `- Sign this cluster's intermediate (CN \`${c.intermediateCommonName}\`) with the offline root and create \`cacerts\` before Istio:`,
          '  ```sh', ...sign,
          `  kubectl -n ${c.istioNamespace} create secret generic cacerts --from-file=ca-cert.pem --from-file=ca-key.pem --from-file=root-cert.pem --from-file=cert-chain.pem`,
          '  ```',
          `- Renew it by hand before it expires (${days} days): the certificate alerts watch it.`,
        ],
      };
    }
    const ns = FleetRoot.intermediateNamespace(c);
    return {
      integration: this.signingIntegration(scope, c),
      steps: [
        `- Sign this cluster's intermediate (CN \`${c.intermediateCommonName}\`) with the offline root and give it to cert-manager as Secret ` +
          `\`${ISTIO_CSR_CA}-${c.name}\` in \`${ns}\` (the full chain in \`tls.crt\`, so that \`ca.crt\` is the root):`,
        '  ```sh', ...sign,
        `  kubectl -n ${ns} create secret tls ${ISTIO_CSR_CA}-${c.name} --cert=cert-chain.pem --key=ca-key.pem`,
        '  ```',
        `- Renew it by hand before it expires (${days} days).`,
      ],
    };
  }
}
