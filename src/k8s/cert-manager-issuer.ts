import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterIssuer } from '../imports/clusterissuers-cert-manager.io';
import { Issuer } from '../imports/issuers-cert-manager.io';
import { CERT_MANAGER_DEFAULTS, CERT_MANAGER_GROUP, IssuerKind, vaultAudience } from '../model/cert-manager';
import { check, deepTokenProblem, fail, withPath } from '../model/errors';
import { ISTIO_DEFAULTS } from '../model/istio-settings';
import { namespaceProblem, objectNameProblem } from '../model/k8s-names';
import { makeClusterScoped, MANAGED_BY } from './_scope';
import { IssuerSource, VaultSignPath } from './issuer-source';
import { IssuerSpecInput } from './issuer-sources/issuer-source-variant';

export { IssuerKind } from '../model/cert-manager';

const NAME = 'CertManagerIssuer';

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
  /** True for an issuer referenced by name: its details are unknown, and checks that need them are skipped. */
  readonly referencedByName: boolean;
  /** Where Vault signs, for a Vault issuer the library defines. */
  readonly vaultSignPath?: VaultSignPath;
  /** Lifetime of its self-signed root, when known. */
  readonly rootDuration?: Duration;
  /** The self-signed root Certificate it defines, when known (the alerts watch its expiry). */
  readonly rootCertificate?: RootCertificateRef;
}

/** A root Certificate by namespace and name. */
export interface RootCertificateRef {
  /** Namespace of the Certificate (and of its Secret). */
  readonly namespace: string;
  /** Name of the Certificate (and of its Secret). */
  readonly name: string;
}

/** An issuer that exists already, referenced by name: nothing is defined, and checks that need its details are skipped. */
class ImportedIssuer implements ICertManagerIssuer {
  public readonly referencedByName = true;
  public constructor(public readonly kind: IssuerKind, public readonly name: string, public readonly namespace?: string) {}
  public get issuerRef(): IssuerRef {
    return { name: this.name, kind: this.kind, group: CERT_MANAGER_GROUP };
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
  /** Always false: the library defines this issuer. */
  public readonly referencedByName = false;
  /** Lifetime of the self-signed root, when the source is `selfSignedRoot()`. */
  public readonly rootDuration?: Duration;
  /** The root Certificate, when the source is `selfSignedRoot()`. */
  public readonly rootCertificate?: RootCertificateRef;
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
      const clusterResourceNamespace = props.clusterResourceNamespace ?? CERT_MANAGER_DEFAULTS.clusterResourceNamespace;
      check(NAME, namespaceProblem('clusterResourceNamespace', clusterResourceNamespace));
      if (this.kind === IssuerKind.ISSUER) {
        this.namespace = props.namespace ?? ISTIO_DEFAULTS.istioNamespace;
        check(NAME, namespaceProblem('namespace', this.namespace));
      } else if (props.namespace !== undefined) {
        fail(NAME, `'namespace' (${props.namespace}) is not allowed for kind ${IssuerKind.CLUSTER_ISSUER}, which is ` +
          "cluster-scoped; remove it, or use kind Issuer (its Secrets live in 'clusterResourceNamespace')");
      }
      this.secretNamespace = this.namespace ?? clusterResourceNamespace;

      this.rootDuration = props.source.rootDuration;
      const rendered = props.source._variant().render({
        scope: this,
        who: NAME,
        name: this.name,
        kind: this.kind,
        secretNamespace: this.secretNamespace,
        certManagerNamespace: props.certManagerNamespace ?? CERT_MANAGER_DEFAULTS.namespace,
        certManagerServiceAccount: props.certManagerServiceAccount ?? CERT_MANAGER_DEFAULTS.serviceAccount,
        issuerObject: (objectId, name, spec) => this.issuerObject(objectId, name, spec),
      });
      this.rootCertificate = rendered.rootCertificate;
      this.resource = this.issuerObject('Resource', this.name, rendered.spec);
    } catch (e) {
      throw withPath(e, NAME, this.node.path);
    }
  }

  /** `issuerRef` for Certificates and istio-csr. */
  public get issuerRef(): IssuerRef {
    return { name: this.name, kind: this.kind, group: CERT_MANAGER_GROUP };
  }

  /** Where Vault signs, for a Vault source. */
  public get vaultSignPath(): VaultSignPath | undefined {
    return this.source.vaultSignPath;
  }

  /**
   * The audience cert-manager always puts into the projected token it requests for Vault:
   * `vault://<namespace>/<issuer>` or `vault://<clusterissuer>` (cmweb content/docs/configuration/vault.md).
   */
  public get vaultAudience(): string {
    return vaultAudience(this.name, this.namespace);
  }

  /** Every audience of the projected token cert-manager presents to Vault: `vaultAudience` and the auth's extra ones. */
  public get vaultTokenAudiences(): string[] {
    return [this.vaultAudience, ...(this.source.vaultAuth?.audiences ?? [])];
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
