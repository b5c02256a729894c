import { Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { CaIntegration, CsrSigner } from '../k8s/ca-integration';
import { CertManagerIssuer, IssuerKind } from '../k8s/cert-manager-issuer';
import { IssuerSource } from '../k8s/issuer-source';
import { IstioCustomCa } from '../k8s/istio-custom-ca';
import { RootCaBundle } from '../k8s/root-ca-bundle';
import { VaultAuth } from '../k8s/vault-auth';
import { MeshApp } from '../mesh-app';
import { CERT_MANAGER_DEFAULTS, vaultAudience, vaultAuthMountPath } from '../model/cert-manager';
import { goDuration, LifetimeRule, lifetimeMs } from '../model/durations';
import { namespaceProblem, objectNameProblem } from '../model/k8s-names';
import { LIFETIME_RULES } from '../model/lifetime-rules';
import { mountPathProblem, vaultAddressProblem } from '../model/vault-policy';
import { check, fail, show } from '../model/errors';
import { commonNameProblem, DEFAULT_TRUST_DOMAIN } from '../model/identity';
import { ISTIO_DEFAULTS } from '../model/istio-settings';
import { PKI_DEFAULTS } from '../model/pki-defaults';
import { MeshPkiConfig } from './mesh-pki-config';
import { RequestedLifetime, routeSignsLeaves, VaultPkiBackend, VaultPkiBackendProps, VaultPkiRoute } from './vault-pki-backend';
import { RenderedNextRoot, SharedNextRootProps } from './shared-next-root';
import { VaultRoot } from './vault-root';
import { DEFAULT_ROOT_COMMON_NAME, DEFAULT_ROOT_MOUNT } from './vault-roots/generated-root';

const NAME = 'MeshPki';

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
export function meshPkiError(e: unknown): unknown {
  if (!(e instanceof Error) || e.message.startsWith(`${NAME}:`)) return e;
  let msg = e.message;
  for (const [inner, outer] of Object.entries(INNER_PROPS)) msg = msg.split(inner).join(outer);
  return new Error(`${NAME}: ${msg}`);
}

const R1 = VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD;
const R2 = VaultPkiRoute.LEAVES_FOR_ISTIO_CSR;
const R3 = VaultPkiRoute.LEAVES_FOR_KUBERNETES_CSR;

/** What each route does instead, for the message that refuses a prop of another route. */
const ROUTE_DOES: Record<VaultPkiRoute, string> = {
  [R1]: "Vault signs the cacerts intermediate at the root and istiod signs the leaves",
  [R2]: "istio-csr requests every leaf at the Vault role and istiod signs nothing",
  [R3]: "cert-manager's Kubernetes CSR signer requests every leaf at the Vault role and istiod signs nothing",
};

/** Props that only some routes read: given in another route, nothing would read them, so they are refused. */
const ROUTE_PROPS: [keyof MeshPkiConfig, VaultPkiRoute[]][] = [
  ['intermediateDuration', [R1]], ['intermediateRenewBefore', [R1]], ['maxWorkloadCertTtl', [R1, R3]],
  ['intermediateMountPath', [R2, R3]], ['intermediateTtl', [R2, R3]], ['leafRoleName', [R2, R3]], ['leafMaxTtl', [R2, R3]],
  ['istioCsrMaxCertificateDuration', [R2]], ['istiodCertificateDuration', [R2]], ['istioCsrRootCaBundle', [R2]],
  ['istioCsrNamespace', [R2]], ['istioCsrVersion', [R2]], ['kubernetesCsrRootCaPem', [R3]], ['kubernetesCsrNextRootCaPem', [R3]],
];

/** Refuses a prop of another route: the route in use would never read it. */
function routePropProblems(config: MeshPkiConfig): void {
  for (const [key, routes] of ROUTE_PROPS) {
    const value = config[key];
    if (value === undefined || routes.includes(config.route)) continue;
    const shown = value instanceof Duration ? goDuration(value.toMilliseconds())
      : typeof value === 'object' || String(value).includes('-----BEGIN') ? 'given' : show(value);
    fail(NAME, `'${key}' (${shown}) only applies to route ${routes.join(' or ')}; in route ${config.route} ${ROUTE_DOES[config.route]}, ` +
      'so nothing would read it; remove it');
  }
}

export function validateMeshPkiConfig(config: MeshPkiConfig): void {
  if (!Object.values(VaultPkiRoute).includes(config.route)) {
    fail(NAME, `'route' (${String(config.route)}) is required: VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD (Vault signs the cacerts intermediate), ` +
      'LEAVES_FOR_ISTIO_CSR (Vault signs workload leaves for istio-csr) or LEAVES_FOR_KUBERNETES_CSR (Vault signs workload leaves for ' +
      "cert-manager's Kubernetes CSR signer)");
  }
  const lifetimes: [keyof MeshPkiConfig, LifetimeRule][] = [
    ['intermediateDuration', LIFETIME_RULES.certManagerDuration], ['intermediateRenewBefore', LIFETIME_RULES.certManagerRenewBefore],
    ['rootTtl', LIFETIME_RULES.vaultRootTtl], ['rootMaxLeaseTtl', LIFETIME_RULES.vaultTtl],
    ['intermediateTtl', LIFETIME_RULES.vaultTtl], ['leafMaxTtl', LIFETIME_RULES.vaultTtl], ['authTokenTtl', LIFETIME_RULES.vaultTtl],
    ['istioCsrMaxCertificateDuration', LIFETIME_RULES.workload], ['istiodCertificateDuration', LIFETIME_RULES.certManagerDuration],
    ['workloadCertTtl', LIFETIME_RULES.workload], ['maxWorkloadCertTtl', LIFETIME_RULES.workload],
  ];
  for (const [key, rule] of lifetimes) if (config[key] !== undefined) lifetimeMs(NAME, key, config[key], rule);
  routePropProblems(config);
  for (const key of ['issuerName', 'issuerServiceAccount', 'authRoleName', 'leafRoleName', 'vaultCaBundleSecretName'] as const) {
    if (config[key] !== undefined) check(NAME, objectNameProblem(key, config[key]));
  }
  // Checked here under its own name: the inner constructs call it 'commonName', which maps to 'rootCommonName'.
  for (const key of ['rootCommonName', 'intermediateCommonName'] as const) {
    if (config[key] !== undefined) check(NAME, commonNameProblem(key, config[key]));
  }
  for (const key of ['istioNamespace', 'certManagerNamespace', 'istioCsrNamespace'] as const) {
    if (config[key] !== undefined) check(NAME, namespaceProblem(key, config[key]));
  }
  for (const key of ['rootMountPath', 'intermediateMountPath', 'nextRootMountPath', 'authMountPath'] as const) {
    if (config[key] !== undefined) check(NAME, mountPathProblem(key, config[key]));
  }
  check(NAME, vaultAddressProblem('vaultAddress', config.vaultAddress));
}

/** Where the Vault half of one mesh goes: its own stack (`MeshPki`), or a shared stack with a shared root (`MeshFleet`). */
export interface VaultSide {
  /** Parent of the `VaultPkiBackend`. */
  readonly scope: Construct;
  /** Its construct id. */
  readonly id: string;
  /** The root, when it is defined elsewhere (a fleet's one root); else from the config. */
  readonly root?: VaultRoot;
  /** The next root of a rotation, when it is defined elsewhere (a fleet's); else from the config. */
  readonly nextRoot?: RenderedNextRoot;
  /** Terraform address prefix of the backend's resources. */
  readonly logicalIdPrefix?: string;
  /** Name of the Vault policy. */
  readonly policyName?: string;
}

/** One mesh's Vault backend, cert-manager issuer and Istio CA, built from one config and cross-checked. */
export interface MeshPkiParts {
  readonly chart: Chart;
  readonly backend: VaultPkiBackend;
  readonly issuer: CertManagerIssuer;
  readonly istioCa: IstioCustomCa;
  readonly trustDomain: string;
}

/** The names derived from the config, shared by the Vault and the Kubernetes halves. */
interface MeshPkiNames {
  readonly trustDomain: string;
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
    trustDomain: config.trustDomain ?? DEFAULT_TRUST_DOMAIN,
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

/**
 * Builds the Vault backend (under `side`), the chart `id` in `app` with the cert-manager Vault issuer and the route's
 * `IstioCustomCa`, and cross-checks them: trust domain, issuer against the backend, every request against what Vault signs.
 */
export function buildMeshPkiParts(app: MeshApp, id: string, config: MeshPkiConfig, side: VaultSide): MeshPkiParts {
  const names = meshPkiNames(config);
  const backend = vaultBackend(config, names, side);
  const chart = new Chart(app, id);
  const issuer = vaultIssuer(chart, names.issuerName, config, names, backend, backend.signPath);
  const istio = ROUTE_ISTIO_SIDE[config.route](chart, config, names, issuer, backend);
  backend.checkTrustDomain('IstioCustomCa', istio.ca.trustDomain);
  backend.checkIssuer(issuer, istio.requested);
  backend.checkIssuance(issuer, istio.ca);
  return { chart, backend, issuer, istioCa: istio.ca, trustDomain: names.trustDomain };
}

/**
 * The cert-manager Vault issuer `name` at `path`, logging in with the backend's auth role as the names' ServiceAccount.
 * `audiences` adds token audiences (a second issuer presents the first one's, which the role expects).
 */
function vaultIssuer(chart: Chart, name: string, config: MeshPkiConfig, names: MeshPkiNames, backend: VaultPkiBackend, path: string,
  audiences?: string[]): CertManagerIssuer {
  return new CertManagerIssuer(chart, name, {
    kind: names.issuerKind,
    namespace: names.issuerNamespace,
    clusterResourceNamespace: names.certManagerNamespace,
    certManagerNamespace: names.certManagerNamespace,
    source: IssuerSource.vault({
      server: config.vaultAddress,
      path,
      auth: VaultAuth.kubernetes({ role: names.authRole, mountPath: vaultAuthMountPath(backend.authPath), serviceAccountName: names.serviceAccount, audiences }),
      caBundleSecretRef: config.vaultCaBundleSecretName ? { name: config.vaultCaBundleSecretName } : undefined,
    }),
  });
}

/** The Vault side: a generated, adopted or shared root, the route's sign path, and auth bound to the issuer's ServiceAccount. */
function vaultBackend(config: MeshPkiConfig, names: MeshPkiNames, side: VaultSide): VaultPkiBackend {
  if (config.adoptExistingRoot && config.rootMaxLeaseTtl !== undefined) {
    fail(NAME, "'rootMaxLeaseTtl' only applies to a generated root; set it on the existing mount in Vault, or remove it");
  }
  const root = side.root ?? (config.adoptExistingRoot
    ? VaultRoot.existing({ mountPath: names.rootMountPath, remainingTtl: config.rootTtl })
    : VaultRoot.generate({ commonName: config.rootCommonName ?? DEFAULT_ROOT_COMMON_NAME, ttl: config.rootTtl }));
  const leaves = routeSignsLeaves(config.route);
  const props: VaultPkiBackendProps & SharedNextRootProps = {
    trustDomain: names.trustDomain,
    vaultAddress: config.vaultAddress,
    route: config.route,
    root,
    rootMountPath: side.root ? undefined : names.rootMountPath,
    rootMaxLeaseTtl: config.rootMaxLeaseTtl,
    nextRoot: config.nextRootMountPath
      ? { mountPath: config.nextRootMountPath, commonName: config.nextRootCommonName ?? `${DEFAULT_ROOT_COMMON_NAME} (next)`, ttl: config.rootTtl }
      : undefined,
    signWithNextRoot: config.signWithNextRoot,
    signedIntermediateTtl: leaves ? undefined : intermediateDuration(config),
    intermediateMountPath: config.intermediateMountPath,
    intermediateTtl: config.intermediateTtl,
    intermediateCommonName: leaves ? config.intermediateCommonName : undefined,
    leafRoleName: config.leafRoleName,
    leafMaxTtl: config.leafMaxTtl,
    // The serving certificates Vault signs besides workload leaves: istiod's, and in route 2 istio-csr's.
    leafAllowedDnsDomains: [...new Set([`${names.istioNamespace}.svc`,
      ...(config.route === VaultPkiRoute.LEAVES_FOR_ISTIO_CSR ? [`${names.istioCsrNamespace}.svc`] : [])])],
    logicalIdPrefix: side.logicalIdPrefix,
    policyName: side.policyName,
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
    sharedNextRoot: side.nextRoot,
  };
  return new VaultPkiBackend(side.scope, side.id, props);
}

type IstioSide = { ca: IstioCustomCa; requested: RequestedLifetime[] };
type IstioSideBuilder = (chart: Chart, config: MeshPkiConfig, names: MeshPkiNames, issuer: CertManagerIssuer, backend: VaultPkiBackend) => IstioSide;

/** Route 1: the `cacerts` intermediate, signed at the root; the root must leave room for a staged rotation. */
function pluginCa(chart: Chart, config: MeshPkiConfig, names: MeshPkiNames, issuer: CertManagerIssuer, backend: VaultPkiBackend): IstioSide {
  const duration = intermediateDuration(config);
  const renewBefore = config.intermediateRenewBefore ?? Duration.millis(PKI_DEFAULTS.intermediateRenewBeforeMs);
  const ca = new IstioCustomCa(chart, 'istio-ca', {
    ...istioProps(config, names),
    integration: CaIntegration.certManagerPluginCa({ issuer, duration, renewBefore, commonName: config.intermediateCommonName }),
    maxWorkloadCertTtl: config.maxWorkloadCertTtl,
  });
  const rootTtl = backend.root.ttl?.toMilliseconds();
  const cycle = duration.toMilliseconds() + renewBefore.toMilliseconds();
  if (rootTtl !== undefined && rootTtl < 2 * cycle) {
    fail(NAME, `root 'rootTtl' (${goDuration(rootTtl)}) must be at least twice the intermediate 'intermediateDuration' + ` +
      `'intermediateRenewBefore' (${goDuration(cycle)}), to leave a full intermediate cycle for a staged root rotation ` +
      'before the root expires; lengthen rootTtl or shorten the intermediate');
  }
  return { ca, requested: [{ label: "IstioCustomCa intermediate 'duration'", lifetime: duration }] };
}

/** Route 2: istio-csr requests workload leaves at the Vault role; istiod signs nothing. */
function istioCsr(chart: Chart, config: MeshPkiConfig, names: MeshPkiNames, issuer: CertManagerIssuer): IstioSide {
  const maxCertificateDuration = config.istioCsrMaxCertificateDuration ?? Duration.millis(ISTIO_DEFAULTS.istioCsrMaxCertificateDurationMs);
  const istiodCertificateDuration = config.istiodCertificateDuration ?? Duration.millis(ISTIO_DEFAULTS.istioCsrIstiodCertificateDurationMs);
  const ca = new IstioCustomCa(chart, 'istio-ca', {
    ...istioProps(config, names),
    integration: CaIntegration.istioCsr({
      issuer,
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

/**
 * Route 3: istiod, as registration authority, creates a Kubernetes CSR per workload for the signer of the Vault issuer
 * (cert-manager's CSR controller), which requests the leaf at the Vault role. istiod verifies each returned chain
 * against the root pinned in meshConfig, so the root's PEM is required, and Terraform checks it is Vault's root.
 */
function kubernetesCsr(chart: Chart, config: MeshPkiConfig, names: MeshPkiNames, issuer: CertManagerIssuer, backend: VaultPkiBackend): IstioSide {
  const rootCaPem = config.kubernetesCsrRootCaPem;
  if (rootCaPem === undefined) {
    fail(NAME, `'kubernetesCsrRootCaPem' is required with 'route' ${config.route}: istiod pins the signer's root by content ` +
      '(meshConfig.caCertificates) to verify every chain the signer returns. Apply the Terraform stack first (or adopt an existing ' +
      'root), then set it to the public PEM of `terraform output -raw istio_root_ca_pem`');
  }
  backend.pinRootPem('kubernetesCsrRootCaPem', rootCaPem);
  const next = nextSigner(chart, config, names, issuer, backend);
  const useNext = config.signWithNextRoot === true && next !== undefined;
  const ca = new IstioCustomCa(chart, 'istio-ca', {
    ...istioProps(config, names),
    integration: CaIntegration.kubernetesCsr({
      signer: CsrSigner.certManagerIssuer(useNext ? next.issuer : issuer),
      rootCaPem: useNext ? next.rootCaPem : rootCaPem,
    }),
    maxWorkloadCertTtl: config.maxWorkloadCertTtl,
  });
  // Vault caps a longer request to the role's max_ttl without an error: the requested lifetimes must fit.
  const requested = [
    { label: "IstioCustomCa 'workloadCertTtl'", lifetime: ca.workloadCertTtl },
    ...(config.maxWorkloadCertTtl ? [{ label: "'maxWorkloadCertTtl'", lifetime: config.maxWorkloadCertTtl }] : []),
  ];
  if (next) backend.checkIssuer(next.issuer, requested);
  return { ca, requested };
}

/**
 * Route 3 during a root rotation: a second issuer (`<issuerName>-next`, so a new signer name, since istiod pins one root
 * per signer) at the next root's intermediate, logging in with the first issuer's role (its audience added to the token).
 */
function nextSigner(chart: Chart, config: MeshPkiConfig, names: MeshPkiNames, issuer: CertManagerIssuer, backend: VaultPkiBackend) {
  const pem = config.kubernetesCsrNextRootCaPem;
  if (backend.nextSignPath === undefined) {
    if (pem !== undefined) fail(NAME, "'kubernetesCsrNextRootCaPem' (given) pins the next root of a rotation; set 'nextRootMountPath' too, or remove it");
    return undefined;
  }
  if (pem === undefined) {
    // The next root exists in Vault only (a rotation's first step): no second issuer yet.
    if (!config.signWithNextRoot) return undefined;
    fail(NAME, "'kubernetesCsrNextRootCaPem' is required with 'signWithNextRoot' in route LEAVES_FOR_KUBERNETES_CSR: istiod pins the next " +
      "signer's root by content; apply the Terraform stack with the next root, then set it to `terraform output -raw istio_next_root_ca_pem`");
  }
  backend.pinNextRootPem('kubernetesCsrNextRootCaPem', pem);
  const next = vaultIssuer(chart, `${names.issuerName}-next`, config, names, backend, backend.nextSignPath, [issuer.vaultAudience]);
  return { issuer: next, rootCaPem: pem };
}

/** Each route's Istio side. */
const ROUTE_ISTIO_SIDE: Record<VaultPkiRoute, IstioSideBuilder> = {
  [VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD]: pluginCa,
  [VaultPkiRoute.LEAVES_FOR_ISTIO_CSR]: istioCsr,
  [VaultPkiRoute.LEAVES_FOR_KUBERNETES_CSR]: kubernetesCsr,
};

function intermediateDuration(config: MeshPkiConfig): Duration {
  return config.intermediateDuration ?? Duration.millis(PKI_DEFAULTS.intermediateDurationMs);
}

/** The mesh-wide props of both routes' IstioCustomCa. */
function istioProps(config: MeshPkiConfig, names: MeshPkiNames) {
  return {
    trustDomain: names.trustDomain,
    istioNamespace: names.istioNamespace,
    istioVersion: config.istioVersion,
    workloadCertTtl: config.workloadCertTtl,
    gracePeriodRatio: config.gracePeriodRatio,
    clusterName: config.clusterName,
    network: config.network,
    meshId: config.meshId,
    trustDomainAliases: config.trustDomainAliases,
    ambient: config.ambient,
    additionalTrustedRootsPem: config.additionalTrustedRootsPem,
    multiRoot: config.multiRoot,
    istiodRestartToken: config.istiodRestartToken,
    issuancePolicy: config.issuancePolicy,
  };
}
