import { ApiObject, Chart } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { ClusterIssuerSpec } from '../../imports/clusterissuers-cert-manager.io';
import { check, fail, tokenProblem } from '../../model/errors';
import { namespaceProblem, objectNameProblem } from '../../model/k8s-names';
import { vaultAddressProblem } from '../../model/vault-policy';
import { vaultSignPathKind } from '../../model/vault-sign-path';
import { MANAGED_BY } from '../_scope';
import { VaultAuth } from '../vault-auth';
import { IssuerRenderContext, IssuerSourceVariant, RenderedSource, VaultSignPath } from './issuer-source-variant';

/** Reference to a key of a Secret. */
export interface SecretKeyRef {
  /** Secret name. */
  readonly name: string;
  /**
   * Key in the Secret.
   * @default 'ca.crt'
   */
  readonly key?: string;
}

/** Options of `IssuerSource.vault()` (docs/reference.md §4.4). */
export interface VaultIssuerSourceOptions {
  /** Vault address, `https://…`. */
  readonly server: string;
  /**
   * Vault sign path without `/v1/`: `<mount>/sign/<role>` for leaves (istio-csr) or
   * `<mount>/root/sign-intermediate` for the Istio intermediate (`cacerts`).
   */
  readonly path: string;
  /** How cert-manager logs in to Vault. */
  readonly auth: VaultAuth;
  /**
   * Secret key holding the PEM CA bundle that verifies Vault's TLS certificate.
   * @default - the system trust store of cert-manager
   */
  readonly caBundleSecretRef?: SecretKeyRef;
  /**
   * Vault Enterprise namespace.
   * @default - none
   */
  readonly vaultNamespace?: string;
}

/** A cert-manager Vault issuer with Kubernetes auth (cmweb content/docs/configuration/vault.md). */
export class VaultSource implements IssuerSourceVariant {
  public readonly vaultSignPath: VaultSignPath;
  public readonly vaultAuth: VaultAuth;

  public constructor(private readonly options: VaultIssuerSourceOptions) {
    check('IssuerSource', tokenProblem('server', options.server));
    check('IssuerSource', tokenProblem('path', options.path));
    check('IssuerSource', vaultAddressProblem('server', options.server));
    const kind = vaultSignPathKind(options.path) ?? fail('IssuerSource', `'path' (${options.path}) must be a Vault sign path without ` +
      "'/v1/': '<mount>/sign/<role>' for leaves or '<mount>/root/sign-intermediate' for an intermediate CA");
    if (options.caBundleSecretRef) check('IssuerSource', objectNameProblem('caBundleSecretRef.name', options.caBundleSecretRef.name));
    this.vaultSignPath = { path: options.path, kind };
    this.vaultAuth = options.auth;
  }

  public render(ctx: IssuerRenderContext): RenderedSource {
    const o = this.options;
    this.tokenRbac(ctx, o.auth.serviceAccountName);
    const vault: NonNullable<ClusterIssuerSpec['vault']> = {
      server: o.server,
      path: o.path,
      namespace: o.vaultNamespace,
      caBundleSecretRef: o.caBundleSecretRef ? { name: o.caBundleSecretRef.name, key: o.caBundleSecretRef.key ?? 'ca.crt' } : undefined,
      auth: { kubernetes: { role: o.auth.role, mountPath: o.auth.mountPath, serviceAccountRef: {
        name: o.auth.serviceAccountName, ...(o.auth.audiences.length ? { audiences: [...o.auth.audiences] } : {}) } } },
    };
    return { spec: { vault } };
  }

  /**
   * Projected-token auth: the ServiceAccount, and a Role + RoleBinding that let cert-manager's controller
   * `create` `serviceaccounts/token` for exactly that ServiceAccount (cmweb content/docs/configuration/vault.md,
   * "Authenticating with Kubernetes Service Accounts").
   */
  private tokenRbac(ctx: IssuerRenderContext, serviceAccount: string): void {
    const ns = ctx.secretNamespace;
    check(ctx.who, namespaceProblem('certManagerNamespace', ctx.certManagerNamespace));
    check(ctx.who, objectNameProblem('certManagerServiceAccount', ctx.certManagerServiceAccount));
    const roleName = `${serviceAccount}-token-creator`;
    // Two issuers of one chart may share the ServiceAccount (a rotation's next issuer): its objects are written once.
    const chart = Chart.of(ctx.scope);
    if (chart.node.findAll().some((c) => c instanceof ApiObject && c.kind === 'ServiceAccount' && c.name === serviceAccount && c.metadata.namespace === ns)) {
      return;
    }
    new k8s.KubeServiceAccount(ctx.scope, 'VaultServiceAccount', {
      metadata: { name: serviceAccount, namespace: ns, labels: MANAGED_BY },
      automountServiceAccountToken: false,
    });
    new k8s.KubeRole(ctx.scope, 'VaultTokenRole', {
      metadata: { name: roleName, namespace: ns, labels: MANAGED_BY },
      rules: [{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: [serviceAccount], verbs: ['create'] }],
    });
    new k8s.KubeRoleBinding(ctx.scope, 'VaultTokenRoleBinding', {
      metadata: { name: roleName, namespace: ns, labels: MANAGED_BY },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
      subjects: [{ kind: 'ServiceAccount', name: ctx.certManagerServiceAccount, namespace: ctx.certManagerNamespace }],
    });
  }
}
