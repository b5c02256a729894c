/**
 * The Istio install configuration as plain data: an IstioOperator document for `istioctl install -f` and the
 * equivalent istiod Helm chart values (docs/reference.md §9). Knows nothing of cdk8s.
 */
import { holds } from './istio-version';

/** What the integration wants Istio to run with. Maps are ordered by key on output. */
export interface InstallSettings {
  readonly istioVersion: string;
  readonly istioNamespace: string;
  readonly trustDomain: string;
  /** istio-agent env, through `meshConfig.defaultConfig.proxyMetadata` (§5.1). */
  readonly proxyMetadata: Readonly<Record<string, string>>;
  /** istiod container env: IstioOperator `values.pilot.env`, Helm `env` (≥1.24) or `pilot.env` (§9). */
  readonly istiodEnv: Readonly<Record<string, string>>;
  /**
   * istiod env that replaces a variable the chart already renders (e.g. PILOT_CERT_PROVIDER): IstioOperator
   * `components.pilot.k8s.env` (patched on by name after rendering); in the Helm route a post-render patch, never
   * `env` (a duplicate name, which server-side apply rejects; facts §12.2).
   */
  readonly istiodEnvReplacements?: Readonly<Record<string, string>>;
  /** Extra `meshConfig` fields beyond trustDomain and proxyMetadata. */
  readonly meshConfig?: Readonly<Record<string, unknown>>;
  /** `values.global` entries (IstioOperator) = `global` (Helm). */
  readonly global?: Readonly<Record<string, unknown>>;
  /** Ambient: ztunnel chart values (`caAddress`, `env`); IstioOperator `values.ztunnel`. */
  readonly ztunnel?: Readonly<Record<string, unknown>>;
  /** istiod pod annotations (IstioOperator `components.pilot.k8s.podAnnotations`, Helm `podAnnotations`). */
  readonly istiodPodAnnotations?: Readonly<Record<string, string>>;
}

function meshConfig(s: InstallSettings): Record<string, unknown> {
  return {
    ...s.meshConfig,
    trustDomain: s.trustDomain,
    defaultConfig: { proxyMetadata: { ...s.proxyMetadata } },
  };
}

function nonEmpty(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) =>
    v !== undefined && !(typeof v === 'object' && v !== null && Object.keys(v).length === 0)));
}

/** `install.istio.io/v1alpha1` IstioOperator, read by `istioctl install -f` (never applied to a cluster). */
export function istioOperator(s: InstallSettings, name: string): Record<string, unknown> {
  const k8s = nonEmpty({
    podAnnotations: s.istiodPodAnnotations ? { ...s.istiodPodAnnotations } : undefined,
    env: envList(s.istiodEnvReplacements),
  });
  return {
    apiVersion: 'install.istio.io/v1alpha1',
    kind: 'IstioOperator',
    metadata: { name, namespace: s.istioNamespace },
    spec: {
      ...(Object.keys(k8s).length ? { components: { pilot: { k8s } } } : {}),
      meshConfig: meshConfig(s),
      values: nonEmpty({
        global: s.global ? { ...s.global } : undefined,
        pilot: Object.keys(s.istiodEnv).length ? { env: { ...s.istiodEnv } } : undefined,
        ztunnel: s.ztunnel ? { ...s.ztunnel } : undefined,
      }),
    },
  };
}

/** `[{name, value}]` ordered by name, or undefined when empty. */
function envList(env: Readonly<Record<string, string>> | undefined): { name: string; value: string }[] | undefined {
  const names = Object.keys(env ?? {}).sort();
  return names.length ? names.map((name) => ({ name, value: env![name] })) : undefined;
}

/**
 * Values for the `istiod` (istio-discovery) Helm chart: `env` and `podAnnotations` at the top level from 1.24, under
 * `pilot:` before (the 1.22/1.23 charts read only `.Values.pilot.*`). `istiodEnvReplacements` are not here: see
 * `istiodPostRenderPatch`.
 */
export function istiodHelmValues(s: InstallSettings): Record<string, unknown> {
  const pilot = nonEmpty({
    env: Object.keys(s.istiodEnv).length ? { ...s.istiodEnv } : undefined,
    podAnnotations: s.istiodPodAnnotations ? { ...s.istiodPodAnnotations } : undefined,
  });
  return nonEmpty({
    meshConfig: meshConfig(s),
    global: s.global ? { ...s.global } : undefined,
    ...(holds('HELM_FLAT_VALUES', s.istioVersion) ? pilot : { pilot }),
  });
}

/** Folder (in install/) of the Helm route's post-render step, its patch and the file `helm template` writes there. */
export const POST_RENDER_DIR = 'istiod-post-render';
export const POST_RENDER_PATCH = 'istiod-env-patch.yaml';
export const POST_RENDER_INPUT = 'istiod.yaml';

/** Name of the istiod Deployment and of its container in the chart (templates/deployment.yaml, no revision). */
export const ISTIOD_DEPLOYMENT = { name: 'istiod', container: 'discovery' } as const;

/** istiod's ServiceAccount (istio-discovery templates/deployment.yaml `serviceAccountName`, no revision). */
export const ISTIOD_SERVICE_ACCOUNT = 'istiod';

/**
 * A strategic-merge patch for the rendered istiod Deployment that sets `istiodEnvReplacements` by name (the same
 * merge istioctl applies for `components.pilot.k8s.env`), or undefined when there is none.
 */
export function istiodPostRenderPatch(s: InstallSettings): Record<string, unknown> | undefined {
  const env = envList(s.istiodEnvReplacements);
  if (!env) return undefined;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: ISTIOD_DEPLOYMENT.name, namespace: s.istioNamespace },
    spec: { template: { spec: { containers: [{ name: ISTIOD_DEPLOYMENT.container, env }] } } },
  };
}

/** kustomization.yaml that applies `istiodPostRenderPatch` (file `patchFile`) to `helm template` output `renderedFile`. */
export function istiodPostRenderKustomization(renderedFile: string, patchFile: string): Record<string, unknown> {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [renderedFile],
    patches: [{ path: patchFile, target: { kind: 'Deployment', name: ISTIOD_DEPLOYMENT.name } }],
  };
}

/**
 * Values for the `ztunnel` Helm chart (ambient), or undefined when the mesh is not ambient. They carry the cluster
 * name: ztunnel announces `multiCluster.clusterName` (default `Kubernetes`) as its cluster ID (facts §12.4).
 */
export function ztunnelHelmValues(s: InstallSettings): Record<string, unknown> | undefined {
  return s.ztunnel ? { ...s.ztunnel } : undefined;
}
