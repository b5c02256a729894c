import { DataVaultPkiSecretBackendIssuer } from '@cdktf/provider-vault/lib/data-vault-pki-secret-backend-issuer';
import { Mount } from '@cdktf/provider-vault/lib/mount';
import { PkiSecretBackendConfigUrls } from '@cdktf/provider-vault/lib/pki-secret-backend-config-urls';
import { PkiSecretBackendIntermediateCertRequest } from '@cdktf/provider-vault/lib/pki-secret-backend-intermediate-cert-request';
import { PkiSecretBackendIntermediateSetSigned } from '@cdktf/provider-vault/lib/pki-secret-backend-intermediate-set-signed';
import { PkiSecretBackendRole } from '@cdktf/provider-vault/lib/pki-secret-backend-role';
import { PkiSecretBackendRootCert } from '@cdktf/provider-vault/lib/pki-secret-backend-root-cert';
import { PkiSecretBackendRootSignIntermediate } from '@cdktf/provider-vault/lib/pki-secret-backend-root-sign-intermediate';
import { Policy } from '@cdktf/provider-vault/lib/policy';
import { Duration } from 'cdk8s';
import { Lazy, TerraformOutput, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { CertManagerIssuer } from '../k8s/cert-manager-issuer';
import { IstioCustomCa } from '../k8s/istio-custom-ca';
import { vaultAuthMountPath } from '../model/cert-manager';
import { goDuration, goDurationString, lifetimeMs, wholeSeconds } from '../model/durations';
import { check, deepTokenProblem, fail, withPath } from '../model/errors';
import { commonNameProblem, spiffeTrustDomain, trustDomainMismatchProblem, trustDomainProblem } from '../model/identity';
import { workloadUriPattern } from '../model/issuance-policy';
import { VaultSignLimits, vaultIssuanceProblems } from '../model/vault-issuance';
import { namespaceProblem, objectNameProblem } from '../model/k8s-names';
import { LIFETIME_RULES, vaultCapProblem } from '../model/lifetime-rules';
import { mountPathProblem, PolicyRule, renderPolicy, SIGN_CAPABILITIES, vaultAddressProblem, vaultNameProblem } from '../model/vault-policy';
import { PKI_DEFAULTS } from '../model/pki-defaults';
import { rootSignIntermediatePath, roleSignPath } from '../model/vault-sign-path';
import { pinRootCertificate } from './root-pin';
import { RenderedNextRoot, SharedNextRootProps } from './shared-next-root';
import { VaultRoot } from './vault-root';
import { VaultTokenValidation } from './vault-token-validation';

const NAME = 'VaultPkiBackend';

/** Which certificates Vault signs for the mesh (docs/reference.md §4.2). */
export enum VaultPkiRoute {
  /**
   * Route 1: cert-manager signs the Istio intermediate (`cacerts`) at `<root mount>/root/sign-intermediate`;
   * istiod signs the workload leaves.
   */
  INTERMEDIATE_FOR_ISTIOD = 'INTERMEDIATE_FOR_ISTIOD',
  /**
   * Route 2: an intermediate mount signed by the root inside Vault, and a role that signs every workload leaf
   * for istio-csr at `<intermediate mount>/sign/<role>`.
   */
  LEAVES_FOR_ISTIO_CSR = 'LEAVES_FOR_ISTIO_CSR',
  /**
   * Route 3: as route 2 in Vault (an intermediate mount and a leaf role), for cert-manager's Kubernetes CSR signer:
   * istiod (Kubernetes CSR API) sends each workload's CSR to the signer of the cert-manager Vault issuer.
   */
  LEAVES_FOR_KUBERNETES_CSR = 'LEAVES_FOR_KUBERNETES_CSR',
}

/** Whether Vault signs the workload leaves (routes 2 and 3: an intermediate mount and a leaf role), not the `cacerts` intermediate. */
export function routeSignsLeaves(route: VaultPkiRoute): boolean {
  return route !== VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD;
}

/**
 * How cert-manager's Vault issuer logs in: its projected ServiceAccount token, checked by Vault's Kubernetes auth
 * (TokenReview, Vault in the cluster) or JWT auth (Vault outside the cluster); see `VaultTokenValidation`.
 */
export interface VaultKubernetesAuthProps {
  /**
   * Path of the auth mount in Vault (cert-manager's `mountPath` is `/v1/auth/<path>`).
   * @default 'kubernetes' (TokenReview) or 'kubernetes-jwt' (JWT auth)
   */
  readonly path?: string;
  /**
   * How Vault validates the token. Give this, or `kubernetesHost` for TokenReview.
   * @default - VaultTokenValidation.tokenReview({ kubernetesHost, kubernetesCaCertPem })
   */
  readonly tokenValidation?: VaultTokenValidation;
  /**
   * Kubernetes API server URL that Vault calls for TokenReview: shorthand for
   * `tokenValidation: VaultTokenValidation.tokenReview(...)` (Vault in the cluster).
   * @default - none; required unless tokenValidation is given
   */
  readonly kubernetesHost?: string;
  /**
   * PEM CA certificate of the Kubernetes API server (public; no reviewer JWT is ever configured here), with
   * `kubernetesHost`.
   * @default - Vault's own trust store, or its in-cluster CA when Vault runs in the cluster
   */
  readonly kubernetesCaCertPem?: string;
  /** Vault auth role cert-manager logs in with. */
  readonly roleName: string;
  /** The one ServiceAccount the role binds (cert-manager's Vault-issuer ServiceAccount). */
  readonly serviceAccountName: string;
  /** Namespace of that ServiceAccount. */
  readonly serviceAccountNamespace: string;
  /** Audience the projected token must carry (`CertManagerIssuer.vaultAudience`). */
  readonly audience: string;
  /**
   * Lifetime of the Vault token issued at login; cert-manager logs in for each signing request.
   * @default Duration.minutes(10)
   */
  readonly tokenTtl?: Duration;
}

/** The next root of a staged root rotation (docs/reference.md §6). */
export interface NextVaultRootProps {
  /** Its PKI mount path (must differ from the current root's). */
  readonly mountPath: string;
  /** Common name of the new root. */
  readonly commonName: string;
  /**
   * Lifetime of the new root.
   * @default Duration.hours(87600)
   */
  readonly ttl?: Duration;
}

/** Props of `VaultPkiBackend`. */
export interface VaultPkiBackendProps {
  /** SPIFFE trust domain of the mesh; the leaf roles allow only its workload identities, `spiffe://<trustDomain>/ns/<ns>/sa/<sa>`. */
  readonly trustDomain: string;
  /** Vault address, for the issuing-certificate and CRL URLs written into certificates. */
  readonly vaultAddress: string;
  /** Route 1 (intermediate for istiod), route 2 (leaves for istio-csr) or route 3 (leaves for the Kubernetes CSR signer). */
  readonly route: VaultPkiRoute;
  /** Generate a root in a new mount, or adopt an existing one. */
  readonly root: VaultRoot;
  /**
   * Path of the root PKI mount (for `VaultRoot.generate()`).
   * @default 'pki'
   */
  readonly rootMountPath?: string;
  /**
   * `max_lease_ttl_seconds` of the root mount; bounds the root and everything signed at it.
   * @default - the root's ttl
   */
  readonly rootMaxLeaseTtl?: Duration;
  /**
   * Route 1, root rotation: a second root (B) generated in its own mount, next to the current one, which is kept.
   * @default - none
   */
  readonly nextRoot?: NextVaultRootProps;
  /**
   * Route 1, root rotation: cert-manager signs the intermediate at the next root's mount (phases 2 and 3).
   * @default false
   */
  readonly signWithNextRoot?: boolean;
  /**
   * Route 1: the one lifetime cert-manager may request at the sign-intermediate path (the `cacerts` Certificate's
   * `duration`). The policy pins the request's `ttl` to it, so a Certificate created by anyone else who can use the
   * issuer cannot obtain a longer-lived intermediate.
   * @default Duration.hours(8760)
   */
  readonly signedIntermediateTtl?: Duration;
  /**
   * Routes 2 and 3: path of the intermediate PKI mount.
   * @default 'pki_int'
   */
  readonly intermediateMountPath?: string;
  /**
   * Routes 2 and 3: lifetime of the Vault intermediate.
   * @default Duration.hours(43800) (5 years)
   */
  readonly intermediateTtl?: Duration;
  /**
   * Routes 2 and 3: common name of the Vault intermediate.
   * @default 'Istio workload issuing CA'
   */
  readonly intermediateCommonName?: string;
  /**
   * Routes 2 and 3: name of the leaf role.
   * @default 'istio-workload'
   */
  readonly leafRoleName?: string;
  /**
   * Routes 2 and 3: the role's `max_ttl`. Vault silently caps longer requests to it (docs/reference.md §4.3).
   * @default Duration.hours(24)
   */
  readonly leafMaxTtl?: Duration;
  /**
   * Routes 2 and 3: DNS domains the role allows with subdomains, for the istiod (and istio-csr) serving certificates.
   * @default ['istio-system.svc', 'cert-manager.svc']
   */
  readonly leafAllowedDnsDomains?: string[];
  /** Vault Kubernetes auth for cert-manager. */
  readonly kubernetesAuth: VaultKubernetesAuthProps;
  /**
   * Name of the Vault policy attached to the auth role.
   * @default 'istio-cert-manager-sign'
   */
  readonly policyName?: string;
  /**
   * Prefix of the pinned Terraform addresses (`<prefix>_root_mount`, …). Changing it destroys and recreates.
   * @default 'istio'
   */
  readonly logicalIdPrefix?: string;
}

/**
 * Vault PKI for Istio in Terraform (cdktf): root mount and root CA (`internal` by default, the key never
 * leaves Vault), issuing/CRL URLs, route 1, 2 or 3 (docs/reference.md §4.2; route 3 is route 2 for the Kubernetes CSR
 * signer), Kubernetes auth bound to one ServiceAccount, and a policy that grants `create`/`update` on exactly the sign path in use.
 *
 * Every resource has a pinned Terraform address (`overrideLogicalId`), so a refactor never destroys a CA.
 */
export class VaultPkiBackend extends Construct {
  /** The trust domain the leaf role serves. */
  public readonly trustDomain: string;
  /** Route in use. */
  public readonly route: VaultPkiRoute;
  /** Path of the root mount. */
  public readonly rootMountPath: string;
  /** Path of the intermediate mount (routes 2 and 3). */
  public readonly intermediateMountPath?: string;
  /** Route 3 during a root rotation: the sign path of the second issuer, under the next root (granted with `signPath`). */
  public readonly nextSignPath?: string;
  /** Path of the intermediate mount under the next root (routes 2 and 3, during a root rotation). */
  public readonly nextIntermediateMountPath?: string;
  /** Leaf role name (routes 2 and 3). */
  public readonly leafRoleName?: string;
  /** Role max_ttl (routes 2 and 3). */
  public readonly leafMaxTtl?: Duration;
  /** Root mount max lease TTL (generated roots). */
  public readonly rootMaxLeaseTtl?: Duration;
  /** The next root's mount max lease TTL, during a rotation. */
  public readonly nextRootMaxLeaseTtl?: Duration;
  /** The root. */
  public readonly root: VaultRoot;
  /** The path cert-manager must sign at: `<root>/root/sign-intermediate` or `<int>/sign/<role>`. */
  public readonly signPath: string;
  /** Auth mount path inside Vault (Kubernetes or JWT auth). */
  public readonly authPath: string;
  /** How Vault validates cert-manager's token. */
  public readonly tokenValidation: VaultTokenValidation;
  /** Auth role settings. */
  public readonly kubernetesAuth: VaultKubernetesAuthProps;
  /** Route 1: the only intermediate lifetime the policy lets cert-manager request. */
  public readonly signedIntermediateTtl?: Duration;
  /** The policy rules granted to cert-manager: one per sign path in use. */
  public readonly policyRules: PolicyRule[] = [];
  /** Name of the policy. */
  public readonly policyName: string;
  /** The generated root resource, if any (its `certificate` is public). */
  public readonly rootCert?: PkiSecretBackendRootCert;
  private readonly logicalIdPrefix: string;
  private readonly address: string;
  /** Routes 2 and 3: the intermediate mount the sign path is on (the next root's once `signWithNextRoot` is set). */
  private signingMount?: Mount;
  private signingMountPath?: string;
  /** Pinned Terraform addresses of added leaf roles, to the role name that took each. */
  private readonly leafRoleIds = new Map<string, string>();
  /** Routes 2 and 3: each leaf role's sign path, to its name and max_ttl. */
  private readonly leafRoles = new Map<string, { name: string; maxTtlMs: number }>();
  private leafAllowedDnsDomains?: string[];
  private leafRoleResource?: PkiSecretBackendRole;
  private nextLeafRoleResource?: PkiSecretBackendRole;
  private nextRootCertificate?: string;

  public constructor(scope: Construct, id: string, props: VaultPkiBackendProps) {
    super(scope, id);
    try {
      // Terraform-side string props may reference other resources (string tokens), but a list token in a scalar
      // field is always a mistake, which cdktf would only report at synth without naming the prop.
      check(NAME, deepTokenProblem(props, 'props', true));
      if (props.policyName !== undefined) check(NAME, vaultNameProblem('policyName', props.policyName));
      check(NAME, vaultNameProblem('kubernetesAuth.roleName', props.kubernetesAuth.roleName));
      this.logicalIdPrefix = props.logicalIdPrefix ?? 'istio';
      if (!/^[a-z][a-z0-9_]*$/.test(this.logicalIdPrefix)) {
        fail(NAME, `'logicalIdPrefix' (${this.logicalIdPrefix}) must be lowercase letters, digits and '_', starting with a letter`);
      }
      check(NAME, trustDomainProblem('trustDomain', props.trustDomain));
      check(NAME, vaultAddressProblem('vaultAddress', props.vaultAddress));
      this.address = props.vaultAddress.replace(/\/$/, '');
      this.trustDomain = props.trustDomain;
      this.route = props.route;
      this.root = props.root;

      // Root mount and root CA (generated), or an adopted mount: the root renders itself.
      const root = props.root._variant().render({
        scope: this, who: NAME, prefix: this.logicalIdPrefix,
        requestedMountPath: props.rootMountPath, requestedMaxLeaseTtl: props.rootMaxLeaseTtl,
        pin: (r, suffix) => this.pin(r, suffix),
      });
      this.rootMountPath = root.mountPath;
      this.rootMaxLeaseTtl = root.maxLeaseTtl;
      this.rootCert = root.rootCert;
      if (!root.shared) this.urls('Root', 'root', root.backend, this.rootMountPath);

      const next = this.nextRoot(props);
      this.nextRootMaxLeaseTtl = next?.maxLeaseTtl;
      if (props.route === VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD) {
        this.signPath = rootSignIntermediatePath(props.signWithNextRoot && next ? next.mountPath : this.rootMountPath);
      } else {
        this.intermediateMountPath = props.intermediateMountPath ?? 'pki_int';
        this.leafRoleName = props.leafRoleName ?? 'istio-workload';
        this.leafMaxTtl = props.leafMaxTtl ?? Duration.millis(PKI_DEFAULTS.vaultLeafMaxTtlMs);
        const leaves = this.leafSide(props, { backend: root.backend, rootCert: this.rootCert, ttl: props.root.ttl }, next);
        // Route 3 rotates with a second issuer (a new signer name): both sign paths stay in use, one per issuer.
        const twoIssuers = props.route === VaultPkiRoute.LEAVES_FOR_KUBERNETES_CSR && leaves.nextPath !== undefined;
        this.signPath = twoIssuers ? leaves.currentPath : leaves.signPath;
        this.nextSignPath = twoIssuers ? leaves.nextPath : undefined;
        this.nextIntermediateMountPath = leaves.nextMountPath;
      }

      // Auth: one role, bound to exactly one ServiceAccount in one namespace, with an audience.
      const auth = props.kubernetesAuth;
      this.kubernetesAuth = auth;
      this.tokenValidation = this.resolveTokenValidation(auth);
      this.authPath = auth.path ?? this.tokenValidation.defaultPath;
      check(NAME, mountPathProblem('kubernetesAuth.path', this.authPath));
      check(NAME, objectNameProblem('kubernetesAuth.serviceAccountName', auth.serviceAccountName));
      check(NAME, namespaceProblem('kubernetesAuth.serviceAccountNamespace', auth.serviceAccountNamespace));
      if (auth.audience.trim() === '') fail(NAME, "'kubernetesAuth.audience' () must not be empty; use CertManagerIssuer.vaultAudience");
      const tokenTtl = lifetimeMs(NAME, 'kubernetesAuth.tokenTtl', auth.tokenTtl ?? Duration.minutes(10), LIFETIME_RULES.vaultTtl);

      this.policyName = props.policyName ?? 'istio-cert-manager-sign';
      if (this.route === VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD) {
        const pinned = lifetimeMs(NAME, 'signedIntermediateTtl', props.signedIntermediateTtl ?? Duration.millis(PKI_DEFAULTS.intermediateDurationMs),
          LIFETIME_RULES.certManagerDuration);
        this.signedIntermediateTtl = Duration.millis(pinned);
        this.policyRules.push({ path: this.signPath, capabilities: SIGN_CAPABILITIES, allowedTtls: [goDurationString(pinned)] });
      } else {
        this.policyRules.push({ path: this.signPath, capabilities: SIGN_CAPABILITIES });
        if (this.nextSignPath) this.policyRules.push({ path: this.nextSignPath, capabilities: SIGN_CAPABILITIES });
      }
      const policy = this.pin(new Policy(this, 'SignPolicy', {
        name: this.policyName,
        policy: Lazy.stringValue({ produce: () => this.policyHcl }),
      }), 'sign_policy');

      this.tokenValidation._bind(this, {
        path: this.authPath,
        roleName: auth.roleName,
        serviceAccountName: auth.serviceAccountName,
        serviceAccountNamespace: auth.serviceAccountNamespace,
        audience: auth.audience,
        tokenTtlSeconds: wholeSeconds(tokenTtl),
        policyName: policy.name,
        pin: (r, suffix) => this.pin(r, suffix),
      });
    } catch (e) {
      throw withPath(e, NAME, this.node.path);
    }
  }

  /** Pins a resource's Terraform address to `<prefix>_<suffix>`, so that a refactor never replaces it. */
  private pin<T extends TerraformResource>(r: T, suffix: string): T {
    r.overrideLogicalId(`${this.logicalIdPrefix}_${suffix}`);
    return r;
  }

  /** Issuing-certificate and CRL URLs of a mount. */
  private urls(id: string, suffix: string, backend: string, mountPath: string): void {
    this.pin(mountUrls(this, `${id}Urls`, this.address, backend, mountPath), `${suffix}_urls`);
  }

  /**
   * Routes 2 and 3: the issuing intermediate mount under the root, its leaf role and, during a root rotation, a second
   * intermediate mount (`<intermediateMountPath>_next`) under the next root with the same role. Returns the sign path
   * in use: the next root's once `signWithNextRoot` is set.
   */
  private leafSide(props: VaultPkiBackendProps, root: IssuingRoot, next: RenderedNextRoot | undefined):
  { signPath: string; currentPath: string; nextPath?: string; nextMountPath?: string } {
    const leafRoleName = this.leafRoleName!;
    this.leafAllowedDnsDomains = props.leafAllowedDnsDomains ?? ['istio-system.svc', 'cert-manager.svc'];
    const issuing = (mountPath: string, under: IssuingRoot, id: string, suffix: string) => {
      const { mount, leafMaxMs } = this.issuingIntermediate(props, under, mountPath, leafRoleName, id, suffix);
      const role = this.pin(this.leafRole(`${id.replace('Intermediate', '')}LeafRole`, leafRoleName, leafMaxMs, mount), `${suffix.replace('intermediate', '')}leaf_role`);
      const path = roleSignPath(mountPath, leafRoleName);
      this.leafRoles.set(path, { name: leafRoleName, maxTtlMs: leafMaxMs });
      return { mount, mountPath, role, path };
    };
    const current = issuing(this.intermediateMountPath!, root, 'Intermediate', 'intermediate');
    this.leafRoleResource = current.role;
    const nextSide = next ? issuing(`${this.intermediateMountPath}_next`, { backend: next.backend, rootCert: next.rootCert, ttl: next.maxLeaseTtl },
      'NextIntermediate', 'next_intermediate') : undefined;
    const signing = props.signWithNextRoot && nextSide ? nextSide : current;
    this.signingMount = signing.mount;
    this.signingMountPath = signing.mountPath;
    this.nextLeafRoleResource = nextSide?.role;
    this.nextRootCertificate = next?.rootCert.certificate;
    return { signPath: signing.path, currentPath: current.path, nextPath: nextSide?.path, nextMountPath: nextSide?.mountPath };
  }

  /** Root rotation: root B in its own mount beside the current root, which is kept (or the fleet's shared one). */
  private nextRoot(props: VaultPkiBackendProps): RenderedNextRoot | undefined {
    const shared = (props as SharedNextRootProps).sharedNextRoot;
    if (shared) {
      if (props.nextRoot) fail(NAME, "'nextRoot' is defined once for the fleet, not by each backend; remove it");
      return shared;
    }
    const next = props.nextRoot;
    if (!next) {
      if (props.signWithNextRoot) fail(NAME, "'signWithNextRoot' (true) needs 'nextRoot'; define the next root first");
      return undefined;
    }
    check(NAME, mountPathProblem('nextRoot.mountPath', next.mountPath));
    if (next.mountPath === this.rootMountPath) {
      fail(NAME, `'nextRoot.mountPath' (${next.mountPath}) must differ from 'rootMountPath'; the new root needs its own mount so that the current one stays`);
    }
    check(NAME, commonNameProblem('nextRoot.commonName', next.commonName));
    const ttl = lifetimeMs(NAME, 'nextRoot.ttl', next.ttl ?? Duration.millis(PKI_DEFAULTS.rootTtlMs), LIFETIME_RULES.vaultRootTtl);
    const nextMount = this.pin(new Mount(this, 'NextRootMount', {
      path: next.mountPath, type: 'pki', description: 'Next Istio mesh root CA (managed by istio-custom-ca)', maxLeaseTtlSeconds: wholeSeconds(ttl),
    }), 'next_root_mount');
    const nextCa = this.pin(new PkiSecretBackendRootCert(this, 'NextRootCa', {
      backend: nextMount.path, type: 'internal', commonName: next.commonName, ttl: goDuration(ttl), keyType: 'ec', keyBits: 384, issuerName: 'mesh-root',
    }), 'next_root_ca');
    this.urls('NextRoot', 'next_root', nextMount.path, next.mountPath);
    new TerraformOutput(this, 'NextRootCaPem', { value: nextCa.certificate, description: 'PEM of the next mesh root CA (public)' })
      .overrideLogicalId(`${this.logicalIdPrefix}_next_root_ca_pem`);
    return { mountPath: next.mountPath, backend: nextMount.path, maxLeaseTtl: Duration.millis(ttl), rootCert: nextCa };
  }

  /**
   * Routes 2 and 3: an issuing intermediate mount, signed by `root` inside Vault, with the root in its chain; checks the
   * leaf role's name and max TTL against it, and returns the mount and that max TTL. `id` and `suffix` name its
   * constructs and Terraform addresses.
   */
  private issuingIntermediate(props: VaultPkiBackendProps, root: IssuingRoot, mountPath: string, leafRoleName: string,
    id: string, suffix: string): { mount: Mount; leafMaxMs: number } {
    check(NAME, mountPathProblem('intermediateMountPath', mountPath));
    if (mountPath === this.rootMountPath) {
      fail(NAME, `'intermediateMountPath' (${mountPath}) must differ from 'rootMountPath'; the issuing CA needs its own mount`);
    }
    check(NAME, objectNameProblem('leafRoleName', leafRoleName));
    const intTtl = lifetimeMs(NAME, 'intermediateTtl', props.intermediateTtl ?? Duration.millis(PKI_DEFAULTS.vaultIntermediateTtlMs), LIFETIME_RULES.vaultTtl);
    const leafMax = lifetimeMs(NAME, 'leafMaxTtl', this.leafMaxTtl, LIFETIME_RULES.vaultTtl);
    const rootTtl = root.ttl?.toMilliseconds();
    if (rootTtl !== undefined && intTtl >= rootTtl) {
      fail(NAME, `'intermediateTtl' (${goDuration(intTtl)}) must be shorter than the root ttl (${goDuration(rootTtl)}); ` +
        'Vault cannot sign an intermediate that outlives its root; shorten intermediateTtl');
    }
    if (leafMax >= intTtl) {
      fail(NAME, `'leafMaxTtl' (${goDuration(leafMax)}) must be shorter than 'intermediateTtl' (${goDuration(intTtl)}); a leaf cannot outlive its issuer`);
    }
    const intMount = this.pin(new Mount(this, `${id}Mount`, {
      path: mountPath,
      type: 'pki',
      description: 'Istio workload issuing CA (managed by istio-custom-ca)',
      maxLeaseTtlSeconds: wholeSeconds(intTtl),
    }), `${suffix}_mount`);
    const commonName = props.intermediateCommonName ?? 'Istio workload issuing CA';
    const csr = this.pin(new PkiSecretBackendIntermediateCertRequest(this, `${id}Csr`, {
      backend: intMount.path, type: 'internal', commonName, keyType: 'ec', keyBits: 256,
    }), `${suffix}_csr`);
    const signed = this.pin(new PkiSecretBackendRootSignIntermediate(this, `${id}Signed`, {
      backend: root.backend,
      csr: csr.csr,
      commonName,
      ttl: goDuration(intTtl),
      maxPathLength: 0,
      uriSans: [`spiffe://${spiffeTrustDomain(this.trustDomain)}`],
    }), `${suffix}_signed`);
    // Import intermediate and root together, so that Vault's ca_chain ends at the real root
    // (docs/reference.md §2a: cert-manager's ca.crt is the top of the returned chain).
    const chain = root.rootCert ? `${signed.certificate}\n${root.rootCert.certificate}` : signed.certificateBundle;
    this.pin(new PkiSecretBackendIntermediateSetSigned(this, `${id}SetSigned`, { backend: intMount.path, certificate: chain }), `${suffix}_set_signed`);
    this.urls(id, suffix, intMount.path, mountPath);
    return { mount: intMount, leafMaxMs: leafMax };
  }

  /** `tokenValidation`, or TokenReview from `kubernetesHost`; exactly one of them. */
  private resolveTokenValidation(auth: VaultKubernetesAuthProps): VaultTokenValidation {
    if (auth.tokenValidation && (auth.kubernetesHost !== undefined || auth.kubernetesCaCertPem !== undefined)) {
      fail(NAME, "'kubernetesAuth.tokenValidation' and 'kubernetesAuth.kubernetesHost'/'kubernetesCaCertPem' are both given; " +
        'put the API server into VaultTokenValidation.tokenReview() or drop it');
    }
    if (!auth.tokenValidation && auth.kubernetesHost === undefined) {
      fail(NAME, "'kubernetesAuth' needs 'tokenValidation' or 'kubernetesHost': VaultTokenValidation.tokenReview() when Vault runs " +
        'in the cluster, VaultTokenValidation.serviceAccountIssuerKeys() or oidcDiscovery() when it runs outside');
    }
    const v = auth.tokenValidation ?? VaultTokenValidation.tokenReview({ kubernetesHost: auth.kubernetesHost!, kubernetesCaCertPem: auth.kubernetesCaCertPem });
    const problems = v._problems(auth.tokenValidation ? 'kubernetesAuth.tokenValidation' : 'kubernetesAuth');
    if (problems.length) fail(NAME, problems.join('; '));
    return v;
  }

  /** The policy as HCL: `create`/`update` on exactly the sign paths in use, nothing else. */
  public get policyHcl(): string {
    return renderPolicy(`cert-manager (${this.kubernetesAuth.serviceAccountNamespace}/${this.kubernetesAuth.serviceAccountName}) ` +
      'may sign only here', this.policyRules);
  }

  /**
   * Routes 2 and 3: adds another leaf role on the intermediate mount (e.g. per tenant, with its own max TTL) and grants
   * its sign path in the policy. Returns the sign path for a CertManagerIssuer.
   */
  public addLeafRole(name: string, options: LeafRoleOptions = {}): string {
    if (!routeSignsLeaves(this.route)) {
      fail(NAME, `addLeafRole('${name}') needs route LEAVES_FOR_ISTIO_CSR or LEAVES_FOR_KUBERNETES_CSR; route ${this.route} signs no leaves in Vault`);
    }
    check(NAME, objectNameProblem('leaf role name', name));
    const path = roleSignPath(this.signingMountPath ?? '', name);
    if (this.policyRules.some((r) => r.path === path)) fail(NAME, `leaf role '${name}' is defined twice; give each role a unique name`);
    const maxTtl = lifetimeMs(NAME, `leaf role ${name} 'maxTtl'`, options.maxTtl ?? this.leafMaxTtl!, LIFETIME_RULES.vaultTtl);
    // Terraform addresses allow only [A-Za-z0-9_]; two names that map to one address would be merged silently.
    const logicalId = `${this.logicalIdPrefix}_leaf_role_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
    const clash = this.leafRoleIds.get(logicalId);
    if (clash !== undefined) {
      fail(NAME, `leaf role '${name}' and leaf role '${clash}' both become Terraform address vault_pki_secret_backend_role.${logicalId}; ` +
        'Terraform would keep one while the policy grants both; rename one of them');
    }
    this.leafRoleIds.set(logicalId, name);
    this.leafRole(`LeafRole-${name}`, name, maxTtl, this.signingMount!).overrideLogicalId(logicalId);
    this.leafRoles.set(path, { name, maxTtlMs: maxTtl });
    this.policyRules.push({ path, capabilities: SIGN_CAPABILITIES });
    return path;
  }

  /**
   * Makes `terraform apply` fail before the leaf role is written unless `pem` (the public root the Kubernetes side pins,
   * given as `prop`) is this backend's root in Vault: the generated root's certificate, or the default issuer of an
   * adopted root's mount. (A precondition on the role: cdktf 0.21 does not write an output's precondition.)
   */
  public pinRootPem(prop: string, pem: string): void {
    if (!this.leafRoleResource) fail(NAME, `'${prop}' pins the root for the Kubernetes CSR signer, which needs a leaf route (route ${this.route})`);
    const certificate = this.rootCert?.certificate
      ?? new DataVaultPkiSecretBackendIssuer(this, 'PinnedRootIssuer', { backend: this.rootMountPath, issuerRef: 'default' }).certificate;
    pinRootCertificate(this.leafRoleResource, certificate, pem, `'${prop}' is not the mesh root in Vault (mount ${this.rootMountPath}); ` +
      'istiod would refuse every chain the signer returns. Set it to `terraform output -raw istio_root_ca_pem` and synthesize again.');
  }

  /** As `pinRootPem`, for the next root of a rotation: `pem` must be the next root's certificate (checked before its leaf role is written). */
  public pinNextRootPem(prop: string, pem: string): void {
    if (!this.nextLeafRoleResource || !this.nextRootCertificate) fail(NAME, `'${prop}' pins the next root, which this backend does not have; give a next root`);
    pinRootCertificate(this.nextLeafRoleResource, this.nextRootCertificate, pem, `'${prop}' is not the next mesh root in Vault; istiod would ` +
      'refuse every chain the next signer returns. Set it to `terraform output -raw istio_next_root_ca_pem` and synthesize again.');
  }

  /** Fails unless `trustDomain` (of `who`) is the trust domain the leaf role and intermediate serve. */
  public checkTrustDomain(who: string, trustDomain: string): void {
    check(NAME, trustDomainMismatchProblem(who, trustDomain, "the Vault backend's 'trustDomain'", this.trustDomain));
  }

  private leafRole(id: string, name: string, maxTtlMs: number, mount: Mount): PkiSecretBackendRole {
    return new PkiSecretBackendRole(this, id, {
      backend: mount.path,
      name,
      // Workload CSRs carry only a SPIFFE URI SAN and no CN (docs/reference.md §4.3, §11h); the same shape the
      // approver-policy allows (checkIssuance).
      allowedUriSans: this.allowedUriSans,
      requireCn: false,
      allowedDomains: this.leafAllowedDnsDomains,
      allowSubdomains: true,
      allowBareDomains: false,
      allowGlobDomains: false,
      allowLocalhost: false,
      allowIpSans: false,
      enforceHostnames: true,
      serverFlag: true,
      clientFlag: true,
      keyType: 'any',
      maxTtl: goDuration(maxTtlMs),
      // One request per workload every ~30 min at istio-csr defaults: do not store every leaf (§4.2).
      noStore: true,
    });
  }

  /** Routes 2 and 3: the leaf roles' `allowed_uri_sans`: workload identities of the trust domain only. */
  private get allowedUriSans(): string[] {
    return [workloadUriPattern(spiffeTrustDomain(this.trustDomain))];
  }

  /**
   * Cross-checks what the mesh requests through `issuer` (the values `IssuancePolicy.approverPolicy()` allows, with
   * either policy) against what Vault signs at the issuer's sign path: CA or leaf, the lifetime cap (role `max_ttl`
   * or the pinned intermediate ttl), and the role's allowed URI SANs and DNS domains. Each failure names the request
   * and the Vault setting. Call `checkIssuer()` first.
   */
  public checkIssuance(issuer: CertManagerIssuer, ca: IstioCustomCa): void {
    const ref = issuer.issuerRef;
    const limits = this.signLimits(issuer.source.vaultSignPath?.path ?? '');
    for (const r of ca._contribution.issuance.requests) {
      if (r.issuerRef.name !== ref.name || r.issuerRef.kind !== ref.kind) continue;
      const problems = vaultIssuanceProblems(r, limits);
      if (problems.length) fail(NAME, problems.join('; '));
    }
  }

  /** What Vault enforces at one of this backend's sign paths. */
  private signLimits(path: string): VaultSignLimits {
    const role = this.leafRoles.get(path);
    if (role) {
      return {
        where: `role ${role.name} at ${path}`, capProp: role.name === this.leafRoleName ? "'leafMaxTtl'" : `leaf role ${role.name} 'maxTtl'`,
        maxTtlMs: role.maxTtlMs, signsCa: false, allowedUriSans: this.allowedUriSans, allowedSubdomainsOf: this.leafAllowedDnsDomains,
      };
    }
    return { where: path, capProp: "'signedIntermediateTtl'", maxTtlMs: this.signedIntermediateTtl?.toMilliseconds(), signsCa: true };
  }

  /**
   * Cross-checks a cert-manager Vault issuer against this backend, each failure naming both sides:
   * sign path granted by the policy, auth mount, auth role, bound ServiceAccount and namespace, audience.
   * `requested` lists lifetimes requested through the issuer (label and Duration), checked against what Vault
   * will really issue (role `max_ttl`, or the root mount's max lease TTL).
   */
  public checkIssuer(issuer: CertManagerIssuer, requested: RequestedLifetime[] = []): void {
    const who = `CertManagerIssuer ${issuer.name}`;
    const signPath = issuer.source.vaultSignPath;
    const auth = issuer.source.vaultAuth;
    if (!signPath || !auth) return fail(NAME, `${who} is not a Vault issuer; use IssuerSource.vault()`);
    const granted = this.policyRules.map((r) => r.path);
    if (!granted.includes(signPath.path)) {
      fail(NAME, `${who} 'path' (${signPath.path}) is not granted by Vault policy ${this.policyName} (${granted.join(', ')}); ` +
        'point the issuer at the sign path of this backend');
    }
    if (auth.mountPath !== vaultAuthMountPath(this.authPath)) {
      fail(NAME, `${who} auth 'mountPath' (${auth.mountPath}) must be '${vaultAuthMountPath(this.authPath)}', the Kubernetes auth ` +
        `mount of this backend ('kubernetesAuth.path' ${this.authPath})`);
    }
    if (auth.role !== this.kubernetesAuth.roleName) {
      fail(NAME, `${who} auth 'role' (${auth.role}) must equal 'kubernetesAuth.roleName' (${this.kubernetesAuth.roleName})`);
    }
    if (auth.serviceAccountName !== this.kubernetesAuth.serviceAccountName || issuer.secretNamespace !== this.kubernetesAuth.serviceAccountNamespace) {
      fail(NAME, `${who} uses ServiceAccount ${issuer.secretNamespace}/${auth.serviceAccountName}, but the Vault auth role binds ` +
        `${this.kubernetesAuth.serviceAccountNamespace}/${this.kubernetesAuth.serviceAccountName} ('kubernetesAuth.serviceAccountNamespace'/` +
        "'serviceAccountName'); make them the same, or Vault answers 403");
    }
    if (!issuer.vaultTokenAudiences.includes(this.kubernetesAuth.audience)) {
      fail(NAME, `${who} requests tokens for audience ${issuer.vaultAudience}, but the Vault auth role expects ` +
        `'kubernetesAuth.audience' (${this.kubernetesAuth.audience}); set the audience to ${issuer.vaultAudience}`);
    }
    const onNext = this.nextRootMaxLeaseTtl !== undefined && !this.signPath.startsWith(`${this.rootMountPath}/`);
    const leaves = routeSignsLeaves(this.route);
    const cap = leaves ? this.leafMaxTtl : onNext ? this.nextRootMaxLeaseTtl : this.rootMaxLeaseTtl;
    const capName = leaves ? `role ${this.leafRoleName} 'leafMaxTtl'`
      : onNext ? `mount ${this.signPath.replace(/\/root\/sign-intermediate$/, '')} of 'nextRoot'` : `mount ${this.rootMountPath} 'rootMaxLeaseTtl'`;
    for (const r of requested) {
      if (cap !== undefined) check(NAME, vaultCapProblem(r.label, r.lifetime.toMilliseconds(), capName, cap.toMilliseconds()));
      const pinned = this.signedIntermediateTtl?.toMilliseconds();
      if (pinned !== undefined && r.lifetime.toMilliseconds() !== pinned) {
        fail(NAME, `${r.label} (${goDuration(r.lifetime.toMilliseconds())}) is not 'signedIntermediateTtl' (${goDuration(pinned)}), the only ` +
          'ttl the Vault policy lets cert-manager request at the sign-intermediate path; Vault would answer 403. Make them equal');
      }
    }
  }
}

/** A root an issuing intermediate is signed under. */
interface IssuingRoot {
  /** The `backend` value of its mount. */
  readonly backend: string;
  /** Its certificate resource, when defined in this stack (imported with the intermediate, so the chain ends at it). */
  readonly rootCert?: PkiSecretBackendRootCert;
  /** Its lifetime, when known; the intermediate must be shorter. */
  readonly ttl?: Duration;
}

/** Issuing-certificate and CRL URLs written into the certificates a mount signs. */
export function mountUrls(scope: Construct, id: string, vaultAddress: string, backend: string, mountPath: string): PkiSecretBackendConfigUrls {
  const address = vaultAddress.replace(/\/$/, '');
  return new PkiSecretBackendConfigUrls(scope, id, {
    backend,
    issuingCertificates: [`${address}/v1/${mountPath}/ca`],
    crlDistributionPoints: [`${address}/v1/${mountPath}/crl`],
  });
}

/** Options of `VaultPkiBackend.addLeafRole()`. */
export interface LeafRoleOptions {
  /**
   * The role's `max_ttl`.
   * @default - the backend's leafMaxTtl
   */
  readonly maxTtl?: Duration;
}

/** A lifetime requested through a Vault issuer, for `VaultPkiBackend.checkIssuer()`. */
export interface RequestedLifetime {
  /** What requests it, for the message (e.g. "IstioCustomCa 'duration'"). */
  readonly label: string;
  /** The lifetime. */
  readonly lifetime: Duration;
}
