import { tmpdir } from 'node:os';
import { relative, resolve, sep } from 'node:path';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { Chart, Duration } from 'cdk8s';
import { App as TfApp, LocalBackend, TerraformStack } from 'cdktf';
import { CaIntegration } from '../k8s/ca-integration';
import { CertManagerIssuer, IssuerKind } from '../k8s/cert-manager-issuer';
import { IssuerSource } from '../k8s/issuer-source';
import { RootCaBundle } from '../k8s/root-ca-bundle';
import { IstioCustomCa } from '../k8s/istio-custom-ca';
import { IssuancePolicy } from '../k8s/issuance-policy';
import { VaultAuth } from '../k8s/vault-auth';
import { MeshApp } from '../mesh-app';
import { GeneratedFile, isWithin } from '../output-tree';
import { goDuration, LifetimeRule, lifetimeMs } from '../model/durations';
import { namespaceProblem, objectNameProblem } from '../model/k8s-names';
import { LIFETIME_RULES } from '../model/lifetime-rules';
import { mountPathProblem, vaultAddressProblem } from '../model/vault-policy';
import { check, deepTokenProblem, fail } from '../model/errors';
import { DEFAULT_TRUST_DOMAIN } from '../model/identity';
import { ISTIO_DEFAULTS } from '../model/istio-settings';
import { CERT_MANAGER_DEFAULTS, vaultAudience, vaultAuthMountPath } from '../model/cert-manager';
import { PKI_DEFAULTS } from '../model/pki-defaults';
import { RequestedLifetime, VaultPkiBackend, VaultPkiRoute } from './vault-pki-backend';
import { VaultRoot } from './vault-root';
import { DEFAULT_ROOT_MOUNT } from './vault-roots/generated-root';
import { VaultTokenValidation } from './vault-token-validation';

const NAME = 'MeshPki';

/** Prints cdktf warning annotations (as `cdktf synth` would) and fails on error annotations. */
function reportAnnotations(stack: TerraformStack): void {
  for (const c of stack.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type === '@cdktf/warn') process.stderr.write(`[Warning at ${c.node.path}] ${String(m.data)}\n`);
      if (m.type === '@cdktf/error') throw new Error(`${c.node.path}: ${String(m.data)}`);
    }
  }
}

/**
 * Checks MeshPki's own props under their own names before they are passed on under other names (so an error names
 * what the user wrote: 'intermediateDuration', not the backend's 'signedIntermediateTtl').
 */
/** Inner props (as the constructs MeshPki builds name them) → the MeshPki prop the user wrote. */
const INNER_PROPS: Record<string, string> = {
  "'duration'": "'intermediateDuration'", "'renewBefore'": "'intermediateRenewBefore'", "'signedIntermediateTtl'": "'intermediateDuration'",
  "'kubernetesAuth.kubernetesCaCertPem'": "'kubernetesCaCertPem'", "'kubernetesAuth.kubernetesHost'": "'kubernetesHost'",
  "'kubernetesAuth.tokenValidation": "'tokenValidation", "'kubernetesAuth.path'": "'authMountPath'", "'kubernetesAuth.tokenTtl'": "'authTokenTtl'",
  "'maxCertificateDuration'": "'istioCsrMaxCertificateDuration'", "'ttl'": "'rootTtl'", "'nextRoot.ttl'": "'rootTtl'",
  "'commonName'": "'rootCommonName'", "'nextRoot.commonName'": "'nextRootCommonName'",
};

/** An error from a construct MeshPki builds, as MeshPki's, with MeshPki's prop names. */
function meshPkiError(e: unknown): unknown {
  if (!(e instanceof Error) || e.message.startsWith(`${NAME}:`)) return e;
  let msg = e.message;
  for (const [inner, outer] of Object.entries(INNER_PROPS)) msg = msg.split(inner).join(outer);
  return new Error(`${NAME}: ${msg}`);
}

function validateOwnProps(config: MeshPkiConfig): void {
  if (!Object.values(VaultPkiRoute).includes(config.route)) {
    fail(NAME, `'route' (${String(config.route)}) is required: VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD (Vault signs the cacerts intermediate) ` +
      'or VaultPkiRoute.LEAVES_FOR_ISTIO_CSR (Vault signs workload leaves for istio-csr)');
  }
  const lifetimes: [keyof MeshPkiConfig, LifetimeRule][] = [
    ['intermediateDuration', LIFETIME_RULES.certManagerDuration], ['intermediateRenewBefore', LIFETIME_RULES.certManagerRenewBefore],
    ['rootTtl', LIFETIME_RULES.vaultRootTtl], ['rootMaxLeaseTtl', LIFETIME_RULES.vaultTtl],
    ['intermediateTtl', LIFETIME_RULES.vaultTtl], ['leafMaxTtl', LIFETIME_RULES.vaultTtl], ['authTokenTtl', LIFETIME_RULES.vaultTtl],
    ['istioCsrMaxCertificateDuration', LIFETIME_RULES.workload], ['istiodCertificateDuration', LIFETIME_RULES.certManagerDuration],
    ['workloadCertTtl', LIFETIME_RULES.workload], ['maxWorkloadCertTtl', LIFETIME_RULES.workload],
  ];
  for (const [key, rule] of lifetimes) if (config[key] !== undefined) lifetimeMs(NAME, key, config[key], rule);
  for (const key of ['issuerName', 'issuerServiceAccount', 'authRoleName', 'leafRoleName', 'vaultCaBundleSecretName'] as const) {
    if (config[key] !== undefined) check(NAME, objectNameProblem(key, config[key]));
  }
  for (const key of ['istioNamespace', 'certManagerNamespace', 'istioCsrNamespace'] as const) {
    if (config[key] !== undefined) check(NAME, namespaceProblem(key, config[key]));
  }
  for (const key of ['rootMountPath', 'intermediateMountPath', 'nextRootMountPath', 'authMountPath'] as const) {
    if (config[key] !== undefined) check(NAME, mountPathProblem(key, config[key]));
  }
  check(NAME, vaultAddressProblem('vaultAddress', config.vaultAddress));
}

/**
 * The local backend's state path, relative to `terraform/<id>/` (as Terraform reads it), outside the output folder.
 * Paths are computed from resolved folders, so the string does not depend on the working directory.
 */
function localStatePath(app: MeshApp, id: string, given: string | undefined): string {
  const tfDir = resolve(app.rootOutdir, 'terraform', id);
  const state = given !== undefined ? resolve(tfDir, given) : resolve(app.terraformStateDir, id, 'terraform.tfstate');
  if (isWithin(app.rootOutdir, state)) {
    throw new Error(`${NAME}: 'localStatePath' (${given}) lies inside the output folder (${app.rootOutdir}), which cdk8s synth deletes ` +
      'with the state in it; give a path outside it, or a remote backend');
  }
  return relative(tfDir, state).split(sep).join('/');
}

/**
 * One plain typed config for the whole Vault-backed mesh PKI. Both halves (cdk8s and cdktf) are built from
 * these values, never from each other's tokens, so they cannot disagree.
 */
export interface MeshPkiConfig {
  /** Route 1 (Vault signs the Istio intermediate in `cacerts`) or route 2 (Vault signs leaves for istio-csr). */
  readonly route: VaultPkiRoute;
  /** Vault address, https. */
  readonly vaultAddress: string;
  /**
   * How Vault validates cert-manager's ServiceAccount token: `VaultTokenValidation.tokenReview()` for Vault in the
   * cluster, `serviceAccountIssuerKeys()` / `oidcDiscovery()` (JWT auth) for Vault outside it. Give this or
   * `kubernetesHost`.
   * @default - TokenReview against kubernetesHost
   */
  readonly tokenValidation?: VaultTokenValidation;
  /**
   * Kubernetes API server URL, for Vault's TokenReview calls (Vault in the cluster); shorthand for
   * `tokenValidation: VaultTokenValidation.tokenReview({ kubernetesHost })`.
   * @default - none; required unless tokenValidation is given
   */
  readonly kubernetesHost?: string;
  /**
   * PEM CA of the Kubernetes API server (public), with `kubernetesHost`.
   * @default - Vault's own trust store
   */
  readonly kubernetesCaCertPem?: string;
  /**
   * SPIFFE trust domain, used by Istio and by the Vault role.
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * istiod's namespace.
   * @default 'istio-system'
   */
  readonly istioNamespace?: string;
  /**
   * Istio version targeted.
   * @default '1.30'
   */
  readonly istioVersion?: string;
  /**
   * Secret in the issuer's namespace (istiod's namespace for the default Issuer; cert-manager's cluster resource namespace
   * for a ClusterIssuer) whose `ca.crt` verifies Vault's TLS certificate.
   * @default - cert-manager's system trust store
   */
  readonly vaultCaBundleSecretName?: string;
  /**
   * Common name of a root generated in Vault.
   * @default 'Istio Mesh Root CA'
   */
  readonly rootCommonName?: string;
  /**
   * Lifetime of a generated root.
   * @default Duration.hours(87600)
   */
  readonly rootTtl?: Duration;
  /**
   * Root PKI mount path; with `adoptExistingRoot`, the existing mount.
   * @default 'pki'
   */
  readonly rootMountPath?: string;
  /**
   * Adopt the root that already exists at `rootMountPath` instead of generating one.
   * @default false
   */
  readonly adoptExistingRoot?: boolean;
  /**
   * Max lease TTL of the root mount.
   * @default - the root ttl
   */
  readonly rootMaxLeaseTtl?: Duration;
  /**
   * Route 2: intermediate mount path.
   * @default 'pki_int'
   */
  readonly intermediateMountPath?: string;
  /**
   * Route 2: Vault intermediate lifetime.
   * @default Duration.hours(43800)
   */
  readonly intermediateTtl?: Duration;
  /**
   * Route 2: leaf role name.
   * @default 'istio-workload'
   */
  readonly leafRoleName?: string;
  /**
   * Route 2: role max_ttl.
   * @default Duration.hours(24)
   */
  readonly leafMaxTtl?: Duration;
  /**
   * Route 2: istio-csr `app.server.maxCertificateDuration`, the workload leaf lifetime it requests.
   * @default Duration.hours(1)
   */
  readonly istioCsrMaxCertificateDuration?: Duration;
  /**
   * Route 2: istio-csr `app.tls.istiodCertificateDuration`.
   * @default Duration.hours(1)
   */
  readonly istiodCertificateDuration?: Duration;
  /**
   * Route 2: the root bundle istio-csr pins. Fill it from the Terraform output `istio_root_ca_pem` (public).
   * @default RootCaBundle.fromConfigMap({ name: 'istio-root-ca' }) in istio-csr's namespace
   */
  readonly istioCsrRootCaBundle?: RootCaBundle;
  /**
   * Route 2: istio-csr namespace.
   * @default - certManagerNamespace
   */
  readonly istioCsrNamespace?: string;
  /**
   * Route 2: istio-csr release.
   * @default 'v0.17.0'
   */
  readonly istioCsrVersion?: string;
  /**
   * Cluster name (`global.multiCluster.clusterName`, istio-csr `clusterID`).
   * @default - Istio's default
   */
  readonly clusterName?: string;
  /**
   * The mesh runs ambient mode.
   * @default false
   */
  readonly ambient?: boolean;
  /**
   * Route 1 root rotation: mount path of the next root (B), generated next to the current one.
   * @default - no next root
   */
  readonly nextRootMountPath?: string;
  /**
   * Common name of the next root.
   * @default 'Istio Mesh Root CA (next)'
   */
  readonly nextRootCommonName?: string;
  /**
   * cert-manager signs `cacerts` at the next root (rotation phases 2 and 3).
   * @default false
   */
  readonly signWithNextRoot?: boolean;
  /**
   * Passed to `IstioCustomCa.additionalTrustedRootsPem` (rotation: the roots' PEMs from the Terraform outputs).
   * @default - none
   */
  readonly additionalTrustedRootsPem?: string[];
  /**
   * Passed to `IstioCustomCa.multiRoot`.
   * @default false
   */
  readonly multiRoot?: boolean;
  /**
   * Passed to `IstioCustomCa.istiodRestartToken`.
   * @default - none
   */
  readonly istiodRestartToken?: string;
  /**
   * Auth mount path in Vault (Kubernetes or JWT auth).
   * @default 'kubernetes' (TokenReview) or 'kubernetes-jwt' (JWT auth)
   */
  readonly authMountPath?: string;
  /**
   * Vault auth role for cert-manager.
   * @default 'cert-manager-istio'
   */
  readonly authRoleName?: string;
  /**
   * Vault token lifetime at login.
   * @default Duration.minutes(10)
   */
  readonly authTokenTtl?: Duration;
  /**
   * Name of the cert-manager issuer.
   * @default 'vault-istio'
   */
  readonly issuerName?: string;
  /**
   * A namespaced Issuer in istiod's namespace (where `cacerts` and istio-csr's CertificateRequests live), or a
   * ClusterIssuer. A ClusterIssuer lets anyone who may create a Certificate in any namespace obtain an intermediate
   * CA under the mesh root (route 1) or any workload identity (route 2), because cert-manager approves every
   * request by default; NOTES.md warns when you opt in.
   * @default IssuerKind.ISSUER
   */
  readonly issuerKind?: IssuerKind;
  /**
   * ServiceAccount whose projected token cert-manager presents to Vault.
   * @default 'vault-issuer'
   */
  readonly issuerServiceAccount?: string;
  /**
   * cert-manager's namespace (controller and cluster resource namespace).
   * @default 'cert-manager'
   */
  readonly certManagerNamespace?: string;
  /**
   * Route 1: lifetime of the `cacerts` intermediate.
   * @default Duration.hours(8760)
   */
  readonly intermediateDuration?: Duration;
  /**
   * Route 1: renewBefore of the `cacerts` intermediate.
   * @default Duration.hours(2160)
   */
  readonly intermediateRenewBefore?: Duration;
  /**
   * Sidecar certificate lifetime (`SECRET_TTL`).
   * @default Duration.hours(24)
   */
  readonly workloadCertTtl?: Duration;
  /**
   * Sidecar renewal ratio.
   * @default 0.5
   */
  readonly gracePeriodRatio?: number;
  /**
   * istiod `MAX_WORKLOAD_CERT_TTL`.
   * @default Duration.hours(2160)
   */
  readonly maxWorkloadCertTtl?: Duration;
  /**
   * Passed to `IstioCustomCa.issuancePolicy`. What it allows is checked against what Vault signs (role
   * `allowed_uri_sans`, allowed domains, `max_ttl`, or the pinned intermediate ttl) at construction.
   * @default IssuancePolicy.certManagerDefaultApprover()
   */
  readonly issuancePolicy?: IssuancePolicy;
  /**
   * Terraform state file of the default local backend, relative to the Terraform folder (`terraform/<id>/`); it
   * must lie outside the output folder, which `cdk8s synth` deletes. Use a remote backend in production: set
   * `useDefaultBackend: false` and add one to `stack`.
   * @default - `<MeshApp.terraformStateDir>/<id>/terraform.tfstate`, the same for every plan phase of this stack
   */
  readonly localStatePath?: string;
  /**
   * Add the local backend. When false, add your own backend to `stack` before synth.
   * @default true
   */
  readonly useDefaultBackend?: boolean;
}

/**
 * The Vault-backed mesh PKI from one config: a cdk8s chart (Vault `CertManagerIssuer` and `IstioCustomCa`, as a
 * plug-in CA in route 1 or with istio-csr in route 2) in the `MeshApp`, and a cdktf stack (`VaultPkiBackend`) that `MeshApp.synth()`
 * writes as plain Terraform JSON to `<outdir>/terraform/<id>/cdk.tf.json`. Every cross-component value is checked
 * at construction.
 */
export class MeshPki {
  /** The cdk8s chart (manifests). */
  public readonly chart: Chart;
  /** The cdktf stack (Terraform). */
  public readonly stack: TerraformStack;
  /** The Vault half. */
  public readonly backend: VaultPkiBackend;
  /** The cert-manager Vault issuer. */
  public readonly issuer: CertManagerIssuer;
  /** The Istio side: plug-in CA (route 1) or istio-csr (route 2). */
  public readonly istioCa: IstioCustomCa;
  /** The trust domain used everywhere. */
  public readonly trustDomain: string;

  public constructor(app: MeshApp, id: string, config: MeshPkiConfig) {
    check(NAME, deepTokenProblem(config));
    validateOwnProps(config);
    try {
      // The id names the Terraform folder (terraform/<id>/): it must stay inside the output root.
      if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/.test(id)) {
        fail(NAME, `id (${JSON.stringify(id)}) names the folder terraform/<id>/; use 1-63 letters, digits, '_' or '-', starting with a letter or digit`);
      }
      this.trustDomain = config.trustDomain ?? DEFAULT_TRUST_DOMAIN;
      const names = meshPkiNames(config);

      // cdktf half: its own App (no outdir use: MeshApp writes the stack JSON itself).
      const tfApp = new TfApp({ outdir: tmpdir(), skipValidation: true });
      this.stack = new TerraformStack(tfApp, id);
      if (config.useDefaultBackend ?? true) new LocalBackend(this.stack, { path: localStatePath(app, id, config.localStatePath) });
      // No token in provider config: the Vault provider reads VAULT_TOKEN when `terraform apply` runs.
      new VaultProvider(this.stack, 'vault', { address: config.vaultAddress });
      this.backend = this.vaultBackend(config, names);

      // cdk8s half, from the same plain values.
      this.chart = new Chart(app, id);
      this.issuer = new CertManagerIssuer(this.chart, names.issuerName, {
        kind: names.issuerKind,
        namespace: names.issuerNamespace,
        clusterResourceNamespace: names.certManagerNamespace,
        certManagerNamespace: names.certManagerNamespace,
        source: IssuerSource.vault({
          server: config.vaultAddress,
          path: this.backend.signPath,
          auth: VaultAuth.kubernetes({ role: names.authRole, mountPath: vaultAuthMountPath(this.backend.authPath), serviceAccountName: names.serviceAccount }),
          caBundleSecretRef: config.vaultCaBundleSecretName ? { name: config.vaultCaBundleSecretName } : undefined,
        }),
      });
      const istio = config.route === VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD ? this.pluginCa(config, names) : this.istioCsr(config, names);
      this.istioCa = istio.ca;
      this.backend.checkTrustDomain('IstioCustomCa', this.istioCa.trustDomain);
      this.backend.checkIssuer(this.issuer, istio.requested);
      this.backend.checkIssuance(this.issuer, this.istioCa);
      app.addOutputWriter(stackWriter(this.stack, id));
    } catch (e) {
      throw meshPkiError(e);
    }
  }

  /** The Vault side: a generated or adopted root, the route's sign path, and auth bound to the issuer's ServiceAccount. */
  private vaultBackend(config: MeshPkiConfig, names: MeshPkiNames): VaultPkiBackend {
    if (config.adoptExistingRoot && config.rootMaxLeaseTtl !== undefined) {
      fail(NAME, "'rootMaxLeaseTtl' only applies to a generated root; set it on the existing mount in Vault, or remove it");
    }
    const root = config.adoptExistingRoot
      ? VaultRoot.existing({ mountPath: names.rootMountPath, remainingTtl: config.rootTtl })
      : VaultRoot.generate({ commonName: config.rootCommonName ?? 'Istio Mesh Root CA', ttl: config.rootTtl });
    return new VaultPkiBackend(this.stack, 'VaultPki', {
      trustDomain: this.trustDomain,
      vaultAddress: config.vaultAddress,
      route: config.route,
      root,
      rootMountPath: names.rootMountPath,
      rootMaxLeaseTtl: config.rootMaxLeaseTtl,
      nextRoot: config.nextRootMountPath
        ? { mountPath: config.nextRootMountPath, commonName: config.nextRootCommonName ?? 'Istio Mesh Root CA (next)', ttl: config.rootTtl }
        : undefined,
      signWithNextRoot: config.signWithNextRoot,
      signedIntermediateTtl: config.route === VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD ? intermediateDuration(config) : undefined,
      intermediateMountPath: config.intermediateMountPath,
      intermediateTtl: config.intermediateTtl,
      leafRoleName: config.leafRoleName,
      leafMaxTtl: config.leafMaxTtl,
      leafAllowedDnsDomains: [...new Set([`${names.istioNamespace}.svc`, `${names.istioCsrNamespace}.svc`])],
      kubernetesAuth: {
        path: config.authMountPath,
        tokenValidation: config.tokenValidation,
        kubernetesHost: config.kubernetesHost,
        kubernetesCaCertPem: config.kubernetesCaCertPem,
        roleName: names.authRole,
        serviceAccountName: names.serviceAccount,
        serviceAccountNamespace: names.serviceAccountNamespace,
        audience: vaultAudience(names.issuerName, names.issuerNamespace),
        tokenTtl: config.authTokenTtl,
      },
    });
  }

  /** Route 1: the `cacerts` intermediate, signed at the root; the root must leave room for a staged rotation. */
  private pluginCa(config: MeshPkiConfig, names: MeshPkiNames): { ca: IstioCustomCa; requested: RequestedLifetime[] } {
    const duration = intermediateDuration(config);
    const renewBefore = config.intermediateRenewBefore ?? Duration.millis(PKI_DEFAULTS.intermediateRenewBeforeMs);
    const ca = new IstioCustomCa(this.chart, 'istio-ca', {
      ...istioProps(config, this.trustDomain, names),
      integration: CaIntegration.certManagerPluginCa({ issuer: this.issuer, duration, renewBefore }),
      maxWorkloadCertTtl: config.maxWorkloadCertTtl,
    });
    const rootTtl = this.backend.root.ttl?.toMilliseconds();
    const cycle = duration.toMilliseconds() + renewBefore.toMilliseconds();
    if (rootTtl !== undefined && rootTtl < 2 * cycle) {
      fail(NAME, `root 'rootTtl' (${goDuration(rootTtl)}) must be at least twice the intermediate 'intermediateDuration' + ` +
        `'intermediateRenewBefore' (${goDuration(cycle)}), to leave a full intermediate cycle for a staged root rotation ` +
        'before the root expires; lengthen rootTtl or shorten the intermediate');
    }
    return { ca, requested: [{ label: "IstioCustomCa intermediate 'duration'", lifetime: duration }] };
  }

  /** Route 2: istio-csr requests workload leaves at the Vault role; istiod signs nothing. */
  private istioCsr(config: MeshPkiConfig, names: MeshPkiNames): { ca: IstioCustomCa; requested: RequestedLifetime[] } {
    for (const [key, value] of [['intermediateDuration', config.intermediateDuration], ['intermediateRenewBefore', config.intermediateRenewBefore],
      ['maxWorkloadCertTtl', config.maxWorkloadCertTtl]] as const) {
      if (value !== undefined) {
        fail(NAME, `'${key}' (${goDuration(value.toMilliseconds())}) only applies to route INTERMEDIATE_FOR_ISTIOD; in route ` +
          "LEAVES_FOR_ISTIO_CSR istiod signs nothing; remove it (leaf lifetimes are 'istioCsrMaxCertificateDuration' and 'leafMaxTtl')");
      }
    }
    const maxCertificateDuration = config.istioCsrMaxCertificateDuration ?? Duration.millis(ISTIO_DEFAULTS.istioCsrMaxCertificateDurationMs);
    const istiodCertificateDuration = config.istiodCertificateDuration ?? Duration.millis(ISTIO_DEFAULTS.istioCsrIstiodCertificateDurationMs);
    const ca = new IstioCustomCa(this.chart, 'istio-ca', {
      ...istioProps(config, this.trustDomain, names),
      integration: CaIntegration.istioCsr({
        issuer: this.issuer,
        rootCaBundle: config.istioCsrRootCaBundle ?? RootCaBundle.fromConfigMap({ name: 'istio-root-ca' }),
        maxCertificateDuration,
        istiodCertificateDuration,
        namespace: names.istioCsrNamespace,
        version: config.istioCsrVersion,
      }),
    });
    return {
      ca,
      requested: [
        { label: "istio-csr 'istioCsrMaxCertificateDuration'", lifetime: maxCertificateDuration },
        { label: "istio-csr 'istiodCertificateDuration'", lifetime: istiodCertificateDuration },
      ],
    };
  }
}

/** The names MeshPki derives from its config, shared by the Vault and the Kubernetes halves. */
interface MeshPkiNames {
  readonly istioNamespace: string;
  readonly certManagerNamespace: string;
  readonly istioCsrNamespace: string;
  readonly issuerName: string;
  readonly issuerKind: IssuerKind;
  /** Namespace of a namespaced Issuer; undefined for a ClusterIssuer. */
  readonly issuerNamespace?: string;
  readonly serviceAccount: string;
  /** Where the issuer's ServiceAccount lives: the Issuer's namespace, or cert-manager's for a ClusterIssuer. */
  readonly serviceAccountNamespace: string;
  readonly authRole: string;
  readonly rootMountPath: string;
}

function meshPkiNames(config: MeshPkiConfig): MeshPkiNames {
  const istioNamespace = config.istioNamespace ?? ISTIO_DEFAULTS.istioNamespace;
  const certManagerNamespace = config.certManagerNamespace ?? CERT_MANAGER_DEFAULTS.namespace;
  // The issuer's token audience and ServiceAccount namespace follow its kind (cert-manager internal/vault/vault.go).
  const issuerKind = config.issuerKind ?? IssuerKind.ISSUER;
  const issuerNamespace = issuerKind === IssuerKind.ISSUER ? istioNamespace : undefined;
  return {
    istioNamespace,
    certManagerNamespace,
    istioCsrNamespace: config.istioCsrNamespace ?? certManagerNamespace,
    issuerName: config.issuerName ?? 'vault-istio',
    issuerKind,
    issuerNamespace,
    serviceAccount: config.issuerServiceAccount ?? 'vault-issuer',
    serviceAccountNamespace: issuerNamespace ?? certManagerNamespace,
    authRole: config.authRoleName ?? 'cert-manager-istio',
    rootMountPath: config.rootMountPath ?? DEFAULT_ROOT_MOUNT,
  };
}

function intermediateDuration(config: MeshPkiConfig): Duration {
  return config.intermediateDuration ?? Duration.millis(PKI_DEFAULTS.intermediateDurationMs);
}

/** The mesh-wide props of both routes' IstioCustomCa. */
function istioProps(config: MeshPkiConfig, trustDomain: string, names: MeshPkiNames) {
  return {
    trustDomain,
    istioNamespace: names.istioNamespace,
    istioVersion: config.istioVersion,
    workloadCertTtl: config.workloadCertTtl,
    gracePeriodRatio: config.gracePeriodRatio,
    clusterName: config.clusterName,
    ambient: config.ambient,
    additionalTrustedRootsPem: config.additionalTrustedRootsPem,
    multiRoot: config.multiRoot,
    istiodRestartToken: config.istiodRestartToken,
    issuancePolicy: config.issuancePolicy,
  };
}

/** Writes the stack as plain Terraform JSON into `terraform/<id>/` when the MeshApp renders its output. */
function stackWriter(stack: TerraformStack, id: string): { files(): GeneratedFile[] } {
  return {
    files(): GeneratedFile[] {
      stack.prepareStack();
      stack.runAllValidations();
      reportAnnotations(stack);
      return [
        { path: `terraform/${id}/cdk.tf.json`, content: `${JSON.stringify(stack.toTerraform(), undefined, 2)}\n` },
        // Keep state and provider caches out of the GitOps repository.
        { path: `terraform/${id}/.gitignore`, content: '.terraform/\n*.tfstate\n*.tfstate.*\n' },
      ];
    },
  };
}
