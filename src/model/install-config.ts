/**
 * The Istio install configuration as plain data: an IstioOperator document for `istioctl install -f` and the
 * equivalent istiod Helm chart values (istio-ca-facts.md §9). Knows nothing of cdk8s.
 */
import { holds } from './istio-version';

/** What the integration wants Istio to run with. Maps are ordered by key on output. */
export interface InstallSettings {
  readonly istioVersion: string;
  readonly istioNamespace: string;
  readonly trustDomain: string;
  /** istio-agent env, through `meshConfig.defaultConfig.proxyMetadata` (§5.1). */
  readonly proxyMetadata: Readonly<Record<string, string>>;
  /** istiod container env: IstioOperator `values.pilot.env`, Helm `env` (≥1.21) or `pilot.env` (§9). */
  readonly istiodEnv: Readonly<Record<string, string>>;
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
  return {
    apiVersion: 'install.istio.io/v1alpha1',
    kind: 'IstioOperator',
    metadata: { name, namespace: s.istioNamespace },
    spec: {
      ...(s.istiodPodAnnotations ? { components: { pilot: { k8s: { podAnnotations: { ...s.istiodPodAnnotations } } } } } : {}),
      meshConfig: meshConfig(s),
      values: nonEmpty({
        global: s.global ? { ...s.global } : undefined,
        pilot: Object.keys(s.istiodEnv).length ? { env: { ...s.istiodEnv } } : undefined,
        ztunnel: s.ztunnel ? { ...s.ztunnel } : undefined,
      }),
    },
  };
}

/** Values for the `istiod` (istio-discovery) Helm chart: flat since 1.21, under `pilot:` before. */
export function istiodHelmValues(s: InstallSettings): Record<string, unknown> {
  const env = Object.keys(s.istiodEnv).length ? { ...s.istiodEnv } : undefined;
  return nonEmpty({
    meshConfig: meshConfig(s),
    global: s.global ? { ...s.global } : undefined,
    podAnnotations: s.istiodPodAnnotations ? { ...s.istiodPodAnnotations } : undefined,
    ...(holds('HELM_FLAT_VALUES', s.istioVersion) ? { env } : { pilot: env ? { env } : undefined }),
  });
}

/** Values for the `ztunnel` Helm chart (ambient), or undefined when the mesh is not ambient. */
export function ztunnelHelmValues(s: InstallSettings): Record<string, unknown> | undefined {
  return s.ztunnel ? { ...s.ztunnel } : undefined;
}
