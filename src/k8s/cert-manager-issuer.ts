import { ApiObject, Duration } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { Certificate, CertificateSpecUsages } from '../imports/certificates-cert-manager.io';
import { ClusterIssuer, ClusterIssuerSpec } from '../imports/clusterissuers-cert-manager.io';
import { Issuer } from '../imports/issuers-cert-manager.io';
import { goDuration } from '../model/durations';
import { check, deepTokenProblem, fail, withPath } from '../model/errors';
import { ISTIO_DEFAULTS } from '../model/istio-settings';
import { namespaceProblem, objectNameProblem } from '../model/k8s-names';
import { makeClusterScoped, MANAGED_BY } from './_scope';
import { IssuerSource, IssuerSourceType } from './issuer-source';
import { privateKeySpec } from './private-key';

const NAME = 'CertManagerIssuer';

/** The part of the spec this library sets; identical in the Issuer and ClusterIssuer CRDs. */
type IssuerSpecInput = Pick<ClusterIssuerSpec, 'ca' | 'selfSigned' | 'vault'>;

/** cert-manager issuer kinds. */
export enum IssuerKind {
  /** Cluster-scoped; Secrets it reads live in cert-manager's cluster resource namespace. */
  CLUSTER_ISSUER = 'ClusterIssuer',
  /** Namespaced; can only sign Certificates in its own namespace. */
  ISSUER = 'Issuer',
}

/** Props of `CertManagerIssuer`. */
export interface CertManagerIssuerProps {
  /** What signs: a CA Secret, a self-signed bootstrap root, or Vault PKI. */
  readonly source: IssuerSource;
  /**
   * Name of the issuer object.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespaced Issuer (default) or ClusterIssuer. A ClusterIssuer signs for Certificates in every namespace, and
   * cert-manager approves every request by default: anyone who may create a Certificate anywhere could obtain a CA
   * certificate or any workload identity from it. Opt in only with an approval policy in place.
   * @default IssuerKind.ISSUER
   */
  readonly kind?: IssuerKind;
  /**
   * Namespace of a namespaced Issuer: where the Certificates it signs live (istiod's namespace for `cacerts` and for
   * istio-csr's CertificateRequests). Not allowed for a ClusterIssuer.
   * @default 'istio-system' (Issuer); none (ClusterIssuer)
   */
  readonly namespace?: string;
  /**
   * cert-manager's `--cluster-resource-namespace`, where a ClusterIssuer's Secrets live.
   * @default 'cert-manager'
   */
  readonly clusterResourceNamespace?: string;
  /**
   * Namespace of the cert-manager controller, whose ServiceAccount requests Vault tokens.
   * @default 'cert-manager'
   */
  readonly certManagerNamespace?: string;
  /**
   * ServiceAccount of the cert-manager controller.
   * @default 'cert-manager'
   */
  readonly certManagerServiceAccount?: string;
}

/** A reference to a cert-manager issuer, as Certificates and istio-csr use it. */
export interface IssuerRef {
  readonly name: string;
  readonly kind: string;
  readonly group: string;
}

/**
 * A cert-manager issuer the mesh signs through: one this library defines (`CertManagerIssuer`), or one you already
 * run, referenced by name (`CertManagerIssuer.fromIssuerName()` / `fromClusterIssuerName()`).
 */
export interface ICertManagerIssuer {
  /** Object name of the issuer. */
  readonly name: string;
  /** ClusterIssuer or Issuer. */
  readonly kind: IssuerKind;
  /** Namespace of a namespaced Issuer; undefined for a ClusterIssuer. */
  readonly namespace?: string;
  /** `issuerRef` for Certificates and istio-csr. */
  readonly issuerRef: IssuerRef;
  /** What backs it, when the library defines it; undefined for an issuer referenced by name (its details are unknown). */
  readonly source?: IssuerSource;
  /** Lifetime of its self-signed root, when known. */
  readonly rootDuration?: Duration;
  /** Where the Secrets it reads live, when known. */
  readonly secretNamespace?: string;
}

/** An issuer that exists already, referenced by name: nothing is defined, and checks that need its details are skipped. */
class ImportedIssuer implements ICertManagerIssuer {
  public constructor(public readonly kind: IssuerKind, public readonly name: string, public readonly namespace?: string) {}
  public get issuerRef(): IssuerRef {
    return { name: this.name, kind: this.kind, group: 'cert-manager.io' };
  }
}

/**
 * A cert-manager Issuer (default, namespaced) or ClusterIssuer (opt-in), from an `IssuerSource`
 * (cmweb content/docs/configuration/{ca,selfsigned,vault}.md; docs/reference.md §2a, §4.4).
 *
 * The issuer itself is child 'Resource' (`node.defaultChild`).
 */
export class CertManagerIssuer extends Construct implements ICertManagerIssuer {
  /**
   * A namespaced Issuer you already run. The library defines nothing for it and cannot check what it signs (CA
   * certificates for `cacerts`, SPIFFE leaves for istio-csr) or its lifetimes; NOTES.md lists what to check yourself.
   */
  public static fromIssuerName(namespace: string, name: string): ICertManagerIssuer {
    check(NAME, namespaceProblem('namespace', namespace));
    check(NAME, objectNameProblem('name', name));
    return new ImportedIssuer(IssuerKind.ISSUER, name, namespace);
  }

  /** A ClusterIssuer you already run (see `fromIssuerName()` for what cannot be checked). */
  public static fromClusterIssuerName(name: string): ICertManagerIssuer {
    check(NAME, objectNameProblem('name', name));
    return new ImportedIssuer(IssuerKind.CLUSTER_ISSUER, name);
  }

  /** Object name of the issuer. */
  public readonly name: string;
  /** ClusterIssuer or Issuer. */
  public readonly kind: IssuerKind;
  /** Namespace of a namespaced Issuer; undefined for a ClusterIssuer. */
  public readonly namespace?: string;
  /** Where the Secrets this issuer reads, and its Vault ServiceAccount, live. */
  public readonly secretNamespace: string;
  /** The source this issuer was built from. */
  public readonly source: IssuerSource;
  /** Lifetime of the self-signed root, when the source is `selfSignedRoot()`. */
  public readonly rootDuration?: Duration;
  /** The issuer object. */
  public readonly resource: ApiObject;

  public constructor(scope: Construct, id: string, props: CertManagerIssuerProps) {
    super(scope, id);
    try {
      // No cdktf token may reach a manifest through any string prop (Issue 11).
      check(NAME, deepTokenProblem(props));
      this.kind = props.kind ?? IssuerKind.ISSUER;
      this.name = props.name ?? id;
      this.source = props.source;
      check(NAME, objectNameProblem('name', this.name));
      const clusterResourceNamespace = props.clusterResourceNamespace ?? 'cert-manager';
      check(NAME, namespaceProblem('clusterResourceNamespace', clusterResourceNamespace));
      if (this.kind === IssuerKind.ISSUER) {
        this.namespace = props.namespace ?? ISTIO_DEFAULTS.istioNamespace;
        check(NAME, namespaceProblem('namespace', this.namespace));
      } else if (props.namespace !== undefined) {
        fail(NAME, `'namespace' (${props.namespace}) is not allowed for kind ${IssuerKind.CLUSTER_ISSUER}, which is ` +
          "cluster-scoped; remove it, or use kind Issuer (its Secrets live in 'clusterResourceNamespace')");
      }
      this.secretNamespace = this.namespace ?? clusterResourceNamespace;

      const spec = this.buildSpec(props);
      this.rootDuration = props.source.selfSignedRootOptions?.duration;
      this.resource = this.issuerObject('Resource', this.name, spec);
    } catch (e) {
      throw withPath(e, NAME, this.node.path);
    }
  }

  /** `issuerRef` for Certificates and istio-csr. */
  public get issuerRef(): IssuerRef {
    return { name: this.name, kind: this.kind, group: 'cert-manager.io' };
  }

  /**
   * The audience cert-manager always puts into the projected token it requests for Vault:
   * `vault://<namespace>/<issuer>` or `vault://<clusterissuer>` (cmweb content/docs/configuration/vault.md).
   */
  public get vaultAudience(): string {
    return this.namespace ? `vault://${this.namespace}/${this.name}` : `vault://${this.name}`;
  }

  private buildSpec(props: CertManagerIssuerProps): IssuerSpecInput {
    const source = props.source;
    switch (source.type) {
      case IssuerSourceType.CA:
        return { ca: { secretName: source.caOptions!.secretName } };
      case IssuerSourceType.SELF_SIGNED_ROOT:
        return { ca: { secretName: this.selfSignedRoot(source) } };
      case IssuerSourceType.VAULT:
        return { vault: this.vaultSpec(source, props) };
    }
  }

  /** SelfSigned issuer → root Certificate (isCA) → Secret `<name>-root` that the CA issuer reads. */
  private selfSignedRoot(source: IssuerSource): string {
    const options = source.selfSignedRootOptions!;
    const bootstrapName = `${this.name}-selfsigned`;
    const secretName = `${this.name}-root`;
    check(NAME, objectNameProblem('name', bootstrapName));
    this.issuerObject('SelfSigned', bootstrapName, { selfSigned: {} });
    new Certificate(this, 'Root', {
      metadata: { name: secretName, namespace: this.secretNamespace, labels: MANAGED_BY },
      spec: {
        isCa: true,
        commonName: options.commonName,
        secretName,
        duration: goDuration(options.duration!.toMilliseconds()),
        privateKey: privateKeySpec(NAME, options.privateKey, false),
        usages: [CertificateSpecUsages.DIGITAL_SIGNATURE, CertificateSpecUsages.CERT_SIGN, CertificateSpecUsages.CRL_SIGN],
        issuerRef: { name: bootstrapName, kind: this.kind, group: 'cert-manager.io' },
      },
    });
    return secretName;
  }

  private vaultSpec(source: IssuerSource, props: CertManagerIssuerProps): NonNullable<ClusterIssuerSpec['vault']> {
    const o = source.vaultOptions!;
    this.vaultTokenRbac(o.auth.serviceAccountName, props);
    if (o.auth.grantTokenReview) {
      const crb = new k8s.KubeClusterRoleBinding(this, 'VaultTokenReview', {
        metadata: { name: `${this.secretNamespace}-${o.auth.serviceAccountName}-tokenreview`, labels: MANAGED_BY },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
        subjects: [{ kind: 'ServiceAccount', name: o.auth.serviceAccountName, namespace: this.secretNamespace }],
      });
      makeClusterScoped(crb);
    }
    return {
      server: o.server,
      path: o.path,
      namespace: o.vaultNamespace,
      caBundleSecretRef: o.caBundleSecretRef ? { name: o.caBundleSecretRef.name, key: o.caBundleSecretRef.key ?? 'ca.crt' } : undefined,
      auth: {
        kubernetes: {
          role: o.auth.role,
          mountPath: o.auth.mountPath,
          serviceAccountRef: { name: o.auth.serviceAccountName },
        },
      },
    };
  }

  /**
   * Projected-token auth: the ServiceAccount, and a Role + RoleBinding that let cert-manager's controller
   * `create` `serviceaccounts/token` for exactly that ServiceAccount (cmweb content/docs/configuration/vault.md,
   * "Authenticating with Kubernetes Service Accounts").
   */
  private vaultTokenRbac(serviceAccount: string, props: CertManagerIssuerProps): void {
    const ns = this.secretNamespace;
    const controllerNs = props.certManagerNamespace ?? 'cert-manager';
    const controllerSa = props.certManagerServiceAccount ?? 'cert-manager';
    check(NAME, namespaceProblem('certManagerNamespace', controllerNs));
    check(NAME, objectNameProblem('certManagerServiceAccount', controllerSa));
    const roleName = `${serviceAccount}-token-creator`;
    new k8s.KubeServiceAccount(this, 'VaultServiceAccount', {
      metadata: { name: serviceAccount, namespace: ns, labels: MANAGED_BY },
      automountServiceAccountToken: false,
    });
    new k8s.KubeRole(this, 'VaultTokenRole', {
      metadata: { name: roleName, namespace: ns, labels: MANAGED_BY },
      rules: [{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: [serviceAccount], verbs: ['create'] }],
    });
    new k8s.KubeRoleBinding(this, 'VaultTokenRoleBinding', {
      metadata: { name: roleName, namespace: ns, labels: MANAGED_BY },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
      subjects: [{ kind: 'ServiceAccount', name: controllerSa, namespace: controllerNs }],
    });
  }

  private issuerObject(id: string, name: string, spec: IssuerSpecInput): ApiObject {
    if (this.kind === IssuerKind.ISSUER) {
      return new Issuer(this, id, { metadata: { name, namespace: this.namespace, labels: MANAGED_BY }, spec });
    }
    const issuer = new ClusterIssuer(this, id, { metadata: { name, labels: MANAGED_BY }, spec });
    makeClusterScoped(issuer);
    return issuer;
  }
}
