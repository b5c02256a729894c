import { Duration } from 'cdk8s';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { CertAlertRules } from '../k8s/cert-alert-rules';
import { RootCaBundle, TrustSource } from '../k8s/root-ca-bundle';
import { MeshApp } from '../mesh-app';
import { check, fail } from '../model/errors';
import { clusterNameProblem, FleetClusterModel } from '../model/fleet';
import { CaIntegrationType } from '../model/integration-traits';
import { rootChangeRoots } from '../plan-output';
import { RootCaRotation, RotationPhase } from '../root-ca-rotation';
import { MeshFleetClusterProps, MeshFleetProps } from './mesh-fleet-props';
import { MeshPkiConfig } from './mesh-pki-config';
import { buildMeshPkiParts, meshPkiError, MeshPkiParts, validateMeshPkiConfig } from './mesh-pki-parts';
import { pinRootCertificate } from './root-pin';
import { RenderedNextRoot } from './shared-next-root';
import { mountUrls, routeSignsLeaves, VaultPkiRoute } from './vault-pki-backend';
import { VaultRoot } from './vault-root';
import { DEFAULT_ROOT_COMMON_NAME, DEFAULT_ROOT_MOUNT } from './vault-roots/generated-root';

/** The construct name in messages. */
export const MESH_FLEET = 'MeshFleet';

/** The trust-manager Bundle an istio-csr cluster pins during and after a fleet root rotation (both roots, then the new one). */
export const FLEET_ROOTS_BUNDLE = 'istio-fleet-roots';

/** The next root of a fleet root rotation. */
export interface FleetNextRoot {
  readonly mountPath: string;
  readonly commonName: string;
  readonly ttl?: Duration;
}

/** What `MeshFleetRootRotation` asks of one build of the fleet: the next root, and each cluster's single-cluster phase. */
export interface FleetRotationState {
  readonly nextRoot: FleetNextRoot;
  /** Per cluster, in order: its phase settings, or undefined before it changes (step 0 adds the next root only). */
  readonly phases: (RotationPhase | undefined)[];
  /** The roots' public PEMs the plan was built with: Terraform refuses to apply when Vault's differ. */
  readonly currentRootPem: string;
  readonly newRootPem?: string;
}

/** `MeshFleetProps` with what only the library passes. Not part of the public API. */
export interface MeshFleetInternalProps extends MeshFleetProps {
  readonly rotationState?: FleetRotationState;
}

/** The integration each route runs. */
export const ROUTE_INTEGRATION: Record<VaultPkiRoute, CaIntegrationType> = {
  [VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD]: CaIntegrationType.CERT_MANAGER_PLUGIN_CA,
  [VaultPkiRoute.LEAVES_FOR_ISTIO_CSR]: CaIntegrationType.ISTIO_CSR,
  [VaultPkiRoute.LEAVES_FOR_KUBERNETES_CSR]: CaIntegrationType.KUBERNETES_CSR,
};

/** The next root of a rotation: its mount (default 'pki-next'), common name (default the root's, with ' 2') and the fleet's root ttl. */
export function fleetNextRoot(props: MeshFleetProps, mountPath: string | undefined, commonName: string | undefined): FleetNextRoot {
  return { mountPath: mountPath ?? 'pki-next', commonName: commonName ?? `${props.rootCommonName ?? DEFAULT_ROOT_COMMON_NAME} 2`, ttl: props.rootTtl };
}

/** A fleet after its rotation (`rotatedRoot`): the state of the plan's last step, every cluster in phase 3. */
export function rotatedRootState(props: MeshFleetProps): FleetRotationState | undefined {
  const r = props.rotatedRoot;
  if (r === undefined) return undefined;
  const [a, b] = rootChangeRoots(MESH_FLEET, ['rotatedRoot.previousRootPem', r.previousRootPem], ['rotatedRoot.rootPem', r.rootPem]);
  return {
    nextRoot: fleetNextRoot(props, r.mountPath, r.commonName),
    phases: props.clusters.map((c) => RootCaRotation.phaseSettings(ROUTE_INTEGRATION[c.route], a, b)[2]),
    currentRootPem: a,
    newRootPem: b,
  };
}

/** The fleet's roots in its stack: the current one, and during a rotation the next one. */
export interface FleetRoots {
  readonly root: VaultRoot;
  readonly next?: RenderedNextRoot;
}

/** `rootCaPem` exactly when a cluster pins the root by content (route 3): given otherwise, nothing would read it. */
export function checkRootCaPem(props: MeshFleetProps): void {
  const pinning = (props.clusters ?? []).filter((c) => c?.route === VaultPkiRoute.LEAVES_FOR_KUBERNETES_CSR).map((c) => c.name);
  if (pinning.length && props.rootCaPem === undefined) {
    fail(MESH_FLEET, `'rootCaPem' is required: cluster${pinning.length > 1 ? 's' : ''} ${pinning.join(', ')} ha${pinning.length > 1 ? 've' : 's'} ` +
      "'route' LEAVES_FOR_KUBERNETES_CSR, where istiod pins the root by content (meshConfig.caCertificates). Apply the fleet's " +
      'Terraform stack without them first, then set rootCaPem to `terraform output -raw istio_root_ca_pem` (public) and add them');
  }
  if (!pinning.length && props.rootCaPem !== undefined) {
    fail(MESH_FLEET, "'rootCaPem' is read only by clusters on route LEAVES_FOR_KUBERNETES_CSR, and no cluster uses it; remove it");
  }
}

/**
 * The fleet's roots, each generated once in its own mount with its URLs, at the addresses a single-cluster `MeshPki`
 * uses (`istio_root_*`, `istio_next_root_*`), so that growing from one cluster to a fleet keeps them.
 */
export function renderFleetRoots(stack: TerraformStack, props: MeshFleetProps, rotation: FleetRotationState | undefined): FleetRoots {
  const render = (id: string, prefix: string, commonName: string, ttl: Duration | undefined, mountPath: string) => {
    const generated = VaultRoot.generate({ commonName, ttl });
    const scope = new Construct(stack, id);
    const rendered = generated._variant().render({
      scope, who: MESH_FLEET, prefix, requestedMountPath: mountPath, pin: (r, suffix) => { r.overrideLogicalId(`${prefix}_${suffix}`); return r; },
    });
    const urls = mountUrls(scope, 'RootUrls', props.vaultAddress, rendered.backend, rendered.mountPath);
    urls.overrideLogicalId(`${prefix}_root_urls`);
    return { generated, rendered, urls };
  };
  const current = render('Root', 'istio', props.rootCommonName ?? DEFAULT_ROOT_COMMON_NAME, props.rootTtl, props.rootMountPath ?? DEFAULT_ROOT_MOUNT);
  const root = VaultRoot._shared(current.rendered, current.generated.ttl);
  if (!rotation) return { root };
  const next = rotation.nextRoot;
  const pin = (r: typeof current, pem: string, prop: string, output: string) => pinRootCertificate(r.urls, r.rendered.rootCert!.certificate, pem,
    `'${prop}' of the rotation plan is not the root in Vault mount ${r.rendered.mountPath}; set it to \`terraform output -raw ${output}\` ` +
    'and synthesize the plan again');
  pin(current, rotation.currentRootPem, 'currentRootPem', 'istio_root_ca_pem');
  if (next.mountPath === current.rendered.mountPath) {
    fail(MESH_FLEET, `'nextRootMountPath' (${next.mountPath}) must differ from 'rootMountPath'; the new root needs its own mount so that the current one stays`);
  }
  const n = render('NextRoot', 'istio_next', next.commonName, next.ttl ?? props.rootTtl, next.mountPath);
  if (rotation.newRootPem !== undefined) pin(n, rotation.newRootPem, 'newRootPem', 'istio_next_root_ca_pem');
  return { root, next: { mountPath: n.rendered.mountPath, backend: n.rendered.backend, maxLeaseTtl: n.rendered.maxLeaseTtl!, rootCert: n.rendered.rootCert! } };
}

/** One cluster's MeshPki config: the fleet's shared values, the names that must differ derived from the cluster name, and its rotation phase. */
export function fleetClusterConfig(p: MeshFleetProps, id: string, c: MeshFleetClusterProps, i: number, model: FleetClusterModel,
  phase?: RotationPhase): MeshPkiConfig {
  check(`${MESH_FLEET}: clusters[${i}]`, clusterNameProblem('name', c.name));
  const config: MeshPkiConfig = {
    route: c.route,
    vaultAddress: p.vaultAddress,
    kubernetesHost: c.kubernetesHost,
    kubernetesCaCertPem: c.kubernetesCaCertPem,
    tokenValidation: c.tokenValidation,
    trustDomain: model.trustDomain,
    trustDomainAliases: c.trustDomainAliases,
    meshId: p.meshId ?? id,
    clusterName: c.name,
    network: c.network,
    istioVersion: c.istioVersion,
    ambient: c.ambient,
    intermediateCommonName: model.intermediateCommonName,
    rootTtl: p.rootTtl,
    rootCommonName: p.rootCommonName,
    vaultCaBundleSecretName: p.vaultCaBundleSecretName,
    intermediateDuration: c.route === VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD ? p.intermediateDuration : undefined,
    intermediateRenewBefore: c.route === VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD ? p.intermediateRenewBefore : undefined,
    workloadCertTtl: p.workloadCertTtl,
    istioCsrMaxCertificateDuration: c.istioCsrMaxCertificateDuration,
    issuancePolicy: c.issuancePolicy ?? p.issuancePolicy,
    // Every cluster has its own service-account issuer, so its own auth mount; routes 2 and 3 their own intermediate mount.
    authMountPath: `kubernetes-${c.name}`,
    intermediateMountPath: routeSignsLeaves(c.route) ? `pki_int_${c.name}` : undefined,
    kubernetesCsrRootCaPem: c.route === VaultPkiRoute.LEAVES_FOR_KUBERNETES_CSR ? p.rootCaPem : undefined,
    ...(phase ? ROTATION_SETTINGS[c.route](phase, c.name) : {}),
  };
  try {
    validateMeshPkiConfig(config);
  } catch (e) {
    throw clusterError(e, c.name);
  }
  return config;
}

/** Trust through meshConfig.caCertificates (plug-in CA, Kubernetes CSR): the phase's extra roots, with multi-root. */
function meshConfigTrust(phase: RotationPhase): Partial<MeshPkiConfig> {
  return {
    additionalTrustedRootsPem: phase.additionalTrustedRootsPem.length ? [...phase.additionalTrustedRootsPem] : undefined,
    multiRoot: phase.multiRoot || undefined,
  };
}

/** What one rotation phase changes in a cluster's config, per route (docs/reference.md §6). */
const ROTATION_SETTINGS: Record<VaultPkiRoute, (phase: RotationPhase, name: string) => Partial<MeshPkiConfig>> = {
  // Plug-in CA: both roots in meshConfig.caCertificates with multi-root; cert-manager signs cacerts at the next root.
  [VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD]: (phase) => ({
    signWithNextRoot: phase.issueFromNew,
    ...meshConfigTrust(phase),
    istiodRestartToken: phase.istiodRestartToken,
  }),
  // istio-csr: the pinned bundle holds the phase's roots (trust-manager Bundle), and the issuer moves to the next root's intermediate.
  [VaultPkiRoute.LEAVES_FOR_ISTIO_CSR]: (phase) => ({
    signWithNextRoot: phase.issueFromNew,
    istioCsrRootCaBundle: RootCaBundle.trustManager({ name: FLEET_ROOTS_BUNDLE, sources: phase.trustedRootsPem.map((pem) => TrustSource.inline(pem)) }),
  }),
  // Kubernetes CSR: both roots in meshConfig.caCertificates with multi-root; the mesh's signer moves to the next issuer's.
  [VaultPkiRoute.LEAVES_FOR_KUBERNETES_CSR]: (phase) => ({
    signWithNextRoot: phase.issueFromNew,
    ...meshConfigTrust(phase),
    kubernetesCsrNextRootCaPem: phase.trustedRootsPem[phase.trustedRootsPem.length - 1],
  }),
};

/** Terraform addresses allow only [A-Za-z0-9_]; cluster names are DNS labels, so '-' is the only character to map. */
export function clusterLogicalIdPrefix(name: string): string {
  return `istio_${name.replace(/-/g, '_')}`;
}

/** One cluster's Vault backend (in the fleet's stack), issuer, Istio CA and alerts, into `app`. */
export function buildFleetCluster(app: MeshApp, config: MeshPkiConfig, stack: TerraformStack, roots: FleetRoots, name: string, alerts: boolean): MeshPkiParts {
  const prefix = clusterLogicalIdPrefix(name);
  try {
    const parts = buildMeshPkiParts(app, 'istio-custom-ca', config, {
      scope: stack, id: `VaultPki-${name}`, root: roots.root, nextRoot: roots.next, logicalIdPrefix: prefix, policyName: `istio-cert-manager-sign-${name}`,
    });
    if (alerts) new CertAlertRules(parts.chart, 'cert-alerts', { ca: parts.istioCa });
    new TerraformOutput(stack, `SignPath-${name}`, { value: parts.backend.signPath, description: `Vault sign path of cluster ${name}` })
      .overrideLogicalId(`${prefix}_sign_path`);
    return parts;
  } catch (e) {
    throw clusterError(e, name);
  }
}

/** An error from a cluster's constructs, as the fleet's, naming the cluster, with the prop names a cluster's config uses. */
export function clusterError(e: unknown, name: string): unknown {
  const mapped = meshPkiError(e);
  if (!(mapped instanceof Error) || mapped.message.startsWith(`${MESH_FLEET}:`)) return mapped;
  return new Error(`${MESH_FLEET}: cluster '${name}': ${mapped.message.replace(/^MeshPki: /, '')}`);
}
