import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { CERT_MANAGER_GROUP } from '../../model/cert-manager';
import { ProxyConfig } from '../../imports/istio-networking-networking.istio.io';
import { check, fail } from '../../model/errors';
import { CaIntegrationType, INTEGRATION_TRAITS } from '../../model/integration-traits';
import { AGENT_CERT_SIGNER_ENV, EXTERNAL_CA_K8S_RA, ISTIO_DEFAULTS, ISTIOD_ENV } from '../../model/istio-settings';
import { requireFact } from '../../model/istio-version';
import { namespaceProblem } from '../../model/k8s-names';
import { MeshModel } from '../../model/mesh-model';
import { normalisePem, parseCaBundle } from '../../model/pem';
import { certManagerIssuerOfSigner, certManagerSignerName, parseSignerName, SignerName } from '../../model/signers';
import { ISTIOD_SERVICE_ACCOUNT, POST_RENDER_DIR } from '../../model/install-config';
import { MANAGED_BY } from '../_scope';
import { ICertManagerIssuer } from '../cert-manager-issuer';
import { IntegrationContribution, IntegrationVariant, SigningIssuer } from './integration-variant';

/** A Kubernetes CSR signer (`spec.signerName`). Enum-like: use a static factory. */
export class CsrSigner {
  /**
   * cert-manager's CSR controller for an issuer: `clusterissuers.cert-manager.io/<name>` or
   * `issuers.cert-manager.io/<namespace>.<name>`. cert-manager must run with feature gate
   * `ExperimentalCertificateSigningRequestControllers=true` (cmweb content/docs/usage/kube-csr.md).
   */
  public static certManagerIssuer(issuer: ICertManagerIssuer): CsrSigner {
    const full = certManagerSignerName(issuer.kind as 'ClusterIssuer' | 'Issuer', issuer.name, issuer.namespace);
    return new CsrSigner(CsrSigner.parse(full), true);
  }

  /** Any other signer, by its full name `<domain>/<name>`. */
  public static named(fullName: string): CsrSigner {
    return new CsrSigner(CsrSigner.parse(fullName), false);
  }

  private static parse(full: string): SignerName {
    const { name, problem } = parseSignerName('signer', full);
    if (name === undefined) return fail('CsrSigner', problem ?? `'signer' (${full}) is not a signer name`);
    return name;
  }

  private constructor(
    /** Full, domain and short name. */
    public readonly signerName: SignerName,
    /** Whether cert-manager's CSR controller signs (its feature gate must be on). */
    public readonly isCertManager: boolean,
  ) {}
}

/** A namespace whose workloads use another signer than the mesh default. */
export interface NamespaceSigner {
  /** The namespace. */
  readonly namespace: string;
  /** Its signer; must share the default signer's domain (one `CERT_SIGNER_DOMAIN` per istiod). */
  readonly signer: CsrSigner;
  /**
   * PEM root of this signer.
   * @default - the mesh's `rootCaPem`
   */
  readonly rootCaPem?: string;
}

/** Options of `CaIntegration.kubernetesCsr()` (docs/reference.md §3). */
export interface KubernetesCsrOptions {
  /** The mesh default signer. */
  readonly signer: CsrSigner;
  /** PEM root CA of the signer (public); istiod verifies returned chains against it. Must be a CA certificate. */
  readonly rootCaPem: string;
  /**
   * Namespaces with their own signer (a ProxyConfig per namespace sets `ISTIO_META_CERT_SIGNER`).
   * @default - none
   */
  readonly namespaceSigners?: NamespaceSigner[];
}

/** istiod as registration authority for the Kubernetes CSR API: signers by name, roots pinned in meshConfig (§3). */
export class KubernetesCsr implements IntegrationVariant {
  public readonly type = CaIntegrationType.KUBERNETES_CSR;
  public readonly traits = INTEGRATION_TRAITS[CaIntegrationType.KUBERNETES_CSR];

  public constructor(private readonly options: KubernetesCsrOptions) {}

  public defaultWorkloadCertTtlMs(): number {
    return ISTIO_DEFAULTS.secretTtlMs;
  }

  public bind(who: string, mesh: MeshModel): IntegrationContribution {
    const o = this.options;
    check(who, requireFact('istioVersion', mesh.istioVersion, 'HELM_CERT_SIGNERS', 'CaIntegration.kubernetesCsr'));
    if (mesh.ambient) {
      fail(who, "'ambient' (true) is not supported with CaIntegration.kubernetesCsr: ztunnel has no equivalent of that integration's " +
        'proxy settings in docs/reference.md; use certManagerPluginCa or istioCsr in ambient meshes');
    }
    const def = o.signer.signerName;
    check(who, parseCaBundle('rootCaPem', o.rootCaPem).problem);
    const rootsBySigner = this.rootsBySigner(who);
    // One caCertificates entry per distinct root, listing the full names of the signers it verifies.
    const byPem = new Map<string, string[]>();
    for (const [signer, pem] of rootsBySigner) byPem.set(pem, [...(byPem.get(pem) ?? []), signer]);
    const signers = [o.signer, ...(o.namespaceSigners ?? []).map((n) => n.signer)];
    return {
      istiodEnv: { [ISTIOD_ENV.EXTERNAL_CA]: EXTERNAL_CA_K8S_RA, [ISTIOD_ENV.K8S_SIGNER]: def.full, [ISTIOD_ENV.CERT_SIGNER_DOMAIN]: def.domain },
      // istiod's own serving cert from the same signer, as the istio.io task does with components.pilot.k8s.env (§3);
      // it replaces the chart's PILOT_CERT_PROVIDER entry. global.pilotCertProvider stays istiod so that sidecars
      // still mount istio-ca-root-cert to verify istiod.
      istiodEnvReplacements: { [ISTIOD_ENV.PILOT_CERT_PROVIDER]: `k8s.io/${def.full}` },
      proxyMetadata: { [AGENT_CERT_SIGNER_ENV]: def.shortName },
      // istiod creates and approves the CSRs itself: approve RBAC per signer (§3).
      global: { certSigners: [...rootsBySigner.keys()].sort() },
      caCertificates: [...byPem.entries()].map(([pem, certSigners]) => ({ pem, certSigners: certSigners.sort() })),
      installFiles: [],
      notes: this.notes(mesh, signers),
      issuers: signers.flatMap((s): SigningIssuer[] => {
        const issuer = certManagerIssuerOfSigner(s.signerName);
        return issuer ? [{ ...issuer, grants: 'a certificate for any SPIFFE identity of the mesh' }] : [];
      }),
      watchedCertificates: [],
      issuance: {
        requests: [],
        unpolicedWhy: 'istiod creates and approves Kubernetes CertificateSigningRequests itself; approver-policy approves cert-manager ' +
          'CertificateRequests only, so a CertificateRequestPolicy would govern nothing here (NOTES.md says what the signer must enforce)',
        notes: kubernetesCsrIssuanceNotes(mesh),
      },
      render: (scope: Construct) => {
        for (const s of uniqueSigners(signers)) {
          const issuer = certManagerIssuerOfSigner(s.signerName);
          if (issuer?.kind === 'Issuer') referenceRbac(scope, mesh.istioNamespace, issuer.namespace!, issuer.name);
        }
        for (const ns of o.namespaceSigners ?? []) {
          new ProxyConfig(scope, `Signer-${ns.namespace}`, {
            metadata: { name: 'istio-custom-ca-signer', namespace: ns.namespace, labels: MANAGED_BY },
            spec: { environmentVariables: { [AGENT_CERT_SIGNER_ENV]: ns.signer.signerName.shortName } },
          });
        }
      },
    };
  }

  public rotationSteps(phase: number): string[] {
    return phase === 2
      ? ['- The mesh moves to the signer under the new root (`K8S_SIGNER`, `ISTIO_META_CERT_SIGNER`, `global.certSigners`); restart workloads so that proxies send the new signer name.']
      : [];
  }

  /** The root of every signer, checking that namespace signers share the default's domain and give one root each. */
  private rootsBySigner(who: string): Map<string, string> {
    const o = this.options;
    const def = o.signer.signerName;
    const rootsBySigner = new Map<string, string>([[def.full, normalisePem(o.rootCaPem)]]);
    const seenNs = new Set<string>();
    for (const ns of o.namespaceSigners ?? []) {
      check(who, namespaceProblem('namespaceSigners.namespace', ns.namespace));
      if (seenNs.has(ns.namespace)) fail(who, `'namespaceSigners' lists namespace ${ns.namespace} twice; give each namespace one signer`);
      seenNs.add(ns.namespace);
      if (ns.signer.signerName.domain !== def.domain) {
        fail(who, `'namespaceSigners' signer (${ns.signer.signerName.full}) of namespace ${ns.namespace} is not in the domain of ` +
          `the default signer (${def.domain}); istiod joins one CERT_SIGNER_DOMAIN with each proxy's ISTIO_META_CERT_SIGNER, ` +
          'so all signers must share it');
      }
      if (ns.rootCaPem !== undefined) check(who, parseCaBundle(`namespaceSigners[${ns.namespace}].rootCaPem`, ns.rootCaPem).problem);
      const pem = normalisePem(ns.rootCaPem ?? o.rootCaPem);
      const known = rootsBySigner.get(ns.signer.signerName.full);
      if (known !== undefined && known !== pem) fail(who, `signer ${ns.signer.signerName.full} is given two different roots; give one root per signer`);
      rootsBySigner.set(ns.signer.signerName.full, pem);
    }
    return rootsBySigner;
  }

  private notes(mesh: MeshModel, signers: CsrSigner[]): string[] {
    return [
      '## Kubernetes CSR API (istiod as registration authority; experimental upstream)',
      '',
      `Signers: ${[...new Set(signers.map((s) => `\`${s.signerName.full}\``))].join(', ')}.`,
      '',
      '1. Run a controller that signs these signer names.',
      ...(signers.some((s) => s.isCertManager) ? [
        '   cert-manager signs Kubernetes CSRs only with feature gate',
        '   `ExperimentalCertificateSigningRequestControllers=true` on its controller',
        '   (Helm: `--set featureGates=ExperimentalCertificateSigningRequestControllers=true`). It does not',
        '   approve CSRs: istiod approves its own (RBAC from `global.certSigners`).',
      ] : []),
      '2. Install or upgrade Istio with the install config, then restart workloads so that proxies get',
      '   `ISTIO_META_CERT_SIGNER`.',
      '- istiod gets its own serving certificate from the default signer: `PILOT_CERT_PROVIDER=k8s.io/<signer>` replaces the',
      '  chart\'s own entry on the istiod container (`global.pilotCertProvider` stays `istiod`; `kubernetes` is fatal since 1.23).',
      '  `istio-operator.yaml` does it with `components.pilot.k8s.env`. The istiod Helm chart has no value for it (an `env`',
      '  entry would duplicate the name, which server-side apply rejects), so the Helm route adds a post-render step:',
      `  \`${POST_RENDER_DIR}/\` holds a kustomization and the patch. Render, then apply through kustomize:`,
      `  \`helm template istiod istio/istiod -n ${mesh.istioNamespace} -f istiod-values.yaml > ${POST_RENDER_DIR}/istiod.yaml\` and`,
      `  \`kubectl apply --server-side -k ${POST_RENDER_DIR}\`. Flux: put the patch under the HelmRelease`,
      '  `spec.postRenderers[].kustomize.patches`; Argo CD: a kustomize Application with `helmCharts` and the same patch.',
    ];
  }
}

/** Each signer once, by full name. */
function uniqueSigners(signers: CsrSigner[]): CsrSigner[] {
  return [...new Map(signers.map((s) => [s.signerName.full, s])).values()];
}

/**
 * For a namespaced Issuer, cert-manager signs a CSR only when its requester (istiod, which creates every CSR) may
 * `reference` the signer in the Issuer's namespace, by a SubjectAccessReview (cert-manager
 * pkg/controller/certificatesigningrequests/util: verb reference, resource signers, name the Issuer's or '*').
 */
function referenceRbac(scope: Construct, istioNamespace: string, namespace: string, issuerName: string): void {
  const name = `istio-custom-ca:reference-signer:${issuerName}`;
  const c = new Construct(scope, `SignerReference-${namespace}-${issuerName}`);
  new k8s.KubeRole(c, 'Role', {
    metadata: { name, namespace, labels: MANAGED_BY },
    rules: [{ apiGroups: [CERT_MANAGER_GROUP], resources: ['signers'], verbs: ['reference'], resourceNames: [issuerName] }],
  });
  new k8s.KubeRoleBinding(c, 'RoleBinding', {
    metadata: { name, namespace, labels: MANAGED_BY },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name: ISTIOD_SERVICE_ACCOUNT, namespace: istioNamespace }],
  });
}

/**
 * What istiod's own approval checks and what it leaves to the signer (istio security/pkg/server/ca/server.go
 * CreateCertificate: the caller's identities become the certificate's SANs; security/pkg/k8s/chiron: istiod creates
 * the CSR and approves it with its own approve RBAC).
 */
function kubernetesCsrIssuanceNotes(mesh: MeshModel): string[] {
  return [
    '',
    '## Issuance policy: what the signer controller must enforce',
    '',
    'istiod authenticates each workload (its Kubernetes token), puts only that identity into the CSR it creates, and',
    'approves the CSR itself. That approval checks nothing else: any identity that may create CertificateSigningRequests',
    'and approve for these signer names can obtain any SPIFFE identity of the mesh. The signer must therefore refuse:',
    `- a requester (\`spec.username\`) other than istiod's ServiceAccount (\`system:serviceaccount:${mesh.istioNamespace}:${ISTIOD_SERVICE_ACCOUNT}\`);`,
    `- URI SANs outside \`spiffe://${mesh.trustDomain}/ns/<namespace>/sa/<serviceaccount>\`, and DNS, IP or email SANs`,
    '  (except istiod\'s own serving certificate from the default signer);',
    '- CA certificates, and usages beyond digital signature, key encipherment, client auth and server auth;',
    '- `spec.expirationSeconds` above the workload lifetime you set.',
    'Grant `approve` on `signers` for these names to istiod alone (the RBAC `global.certSigners` renders does this).',
  ];
}
