/**
 * The mesh-wide settings of `IstioCustomCa`, validated into a small immutable model before any object is built.
 * Knows nothing of cdk8s: durations arrive as anything with `toMilliseconds()`.
 */
import { goDuration, lifetimeMs } from './durations';
import { check, checkAll, fail } from './errors';
import { DEFAULT_TRUST_DOMAIN, trustDomainProblem } from './identity';
import { IntegrationTraits } from './integration-traits';
import { AGENT_ENV, AGENT_PCDS_ENV, ISTIO_DEFAULTS, ISTIOD_ENV, RESTART_ANNOTATION } from './istio-settings';
import { DEFAULT_ISTIO_VERSION, istioVersionProblem, requireFact } from './istio-version';
import { namespaceProblem } from './k8s-names';
import { graceRatioProblem, LIFETIME_RULES, workloadTtlProblem } from './lifetime-rules';
import { normalisePem, parseCaBundle } from './pem';
import { DEFAULT_JITTER } from './rotation';

/** Letters, digits, '-', '_' and '.', alphanumeric at both ends (cluster names, annotation values). */
const LABEL_LIKE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** The mesh-wide props as the user wrote them (the shape of `IstioCustomCaProps` without the integration). */
export interface MeshInput {
  readonly trustDomain?: string;
  readonly istioNamespace?: string;
  readonly istioVersion?: string;
  readonly workloadCertTtl?: unknown;
  readonly gracePeriodRatio?: number;
  readonly gracePeriodRatioJitter?: number;
  readonly maxWorkloadCertTtl?: unknown;
  readonly clusterName?: string;
  readonly network?: string;
  readonly meshId?: string;
  readonly trustDomainAliases?: string[];
  readonly ambient?: boolean;
  readonly additionalTrustedRootsPem?: string[];
  readonly multiRoot?: boolean;
  readonly istiodRestartToken?: string;
}

/** What every integration may read of the mesh. */
export interface MeshModel {
  readonly trustDomain: string;
  readonly istioNamespace: string;
  readonly istioVersion: string;
  readonly ambient: boolean;
  /** The cluster ID istiod announces (Istio's default 'Kubernetes' when not given). */
  readonly clusterName: string;
  /** Whether the user gave `clusterName` (only then is `global.multiCluster` emitted). */
  readonly clusterNameGiven: boolean;
  /** `global.network`, when given. */
  readonly network?: string;
  /** `global.meshID`, when given. */
  readonly meshId?: string;
  /** Other trust domains whose identities this mesh accepts (`meshConfig.trustDomainAliases`). */
  readonly trustDomainAliases: readonly string[];
  readonly workloadCertTtlMs: number;
  readonly gracePeriodRatio: number;
  readonly gracePeriodRatioJitter: number;
  /** Whether the user gave the jitter (only then is it emitted). */
  readonly jitterGiven: boolean;
  readonly istiodRestartToken?: string;
}

/**
 * Validates the mesh-wide props. `defaultWorkloadCertTtlMs` gives the integration's default lifetime (istio-csr caps it
 * at its maxCertificateDuration); it is asked only after the other props passed, so that errors come in prop order.
 */
export function meshModel(who: string, input: MeshInput, defaultWorkloadCertTtlMs: () => number): MeshModel {
  const trustDomain = input.trustDomain ?? DEFAULT_TRUST_DOMAIN;
  const istioNamespace = input.istioNamespace ?? ISTIO_DEFAULTS.istioNamespace;
  const istioVersion = input.istioVersion ?? DEFAULT_ISTIO_VERSION;
  const gracePeriodRatio = input.gracePeriodRatio ?? ISTIO_DEFAULTS.gracePeriodRatio;
  const ambient = input.ambient ?? false;
  // Independent props are reported together.
  checkAll(who, [
    trustDomainProblem('trustDomain', trustDomain),
    namespaceProblem('istioNamespace', istioNamespace),
    istioVersionProblem('istioVersion', istioVersion),
    graceRatioProblem(gracePeriodRatio),
    input.clusterName !== undefined && !LABEL_LIKE.test(input.clusterName)
      ? `'clusterName' (${input.clusterName}) must be letters, digits, '-', '_' or '.', starting and ending with a letter or digit`
      : undefined,
    input.network !== undefined && !LABEL_LIKE.test(input.network)
      ? `'network' (${input.network}) must be letters, digits, '-', '_' or '.', starting and ending with a letter or digit`
      : undefined,
    input.meshId !== undefined && !LABEL_LIKE.test(input.meshId)
      ? `'meshId' (${input.meshId}) must be letters, digits, '-', '_' or '.', starting and ending with a letter or digit`
      : undefined,
    ...(input.trustDomainAliases ?? []).map((a, i) => trustDomainProblem(`trustDomainAliases[${i}]`, a)),
  ]);
  const aliases = input.trustDomainAliases ?? [];
  aliases.forEach((a, i) => {
    if (a === trustDomain) fail(who, `'trustDomainAliases[${i}]' (${a}) is the mesh's own 'trustDomain'; remove it`);
    if (aliases.indexOf(a) !== i) fail(who, `'trustDomainAliases[${i}]' (${a}) is listed twice; remove one`);
  });
  if (ambient && input.network !== undefined) {
    check(who, requireFact('istioVersion', istioVersion, 'ZTUNNEL_NETWORK', "'network' with 'ambient'",
      "target Istio 1.30 or later, or remove 'network' (ztunnel would ignore it)"));
  }
  if (ambient) {
    check(who, requireFact('istioVersion', istioVersion, 'AMBIENT_ZTUNNEL_VALUES', "'ambient'",
      "target Istio 1.22 or later for ambient, or remove 'ambient'"));
  }
  const jitter = input.gracePeriodRatioJitter;
  if (jitter !== undefined) {
    check(who, requireFact('istioVersion', istioVersion, 'GRACE_PERIOD_JITTER', "'gracePeriodRatioJitter'",
      "target Istio 1.24 or later, or remove 'gracePeriodRatioJitter'"));
    const bound = Math.min(gracePeriodRatio, 1 - gracePeriodRatio);
    if (!(jitter >= 0 && jitter < bound)) {
      fail(who, `'gracePeriodRatioJitter' (${jitter}) must be at least 0 and below both 'gracePeriodRatio' and 1 - gracePeriodRatio ` +
        `(${bound}), or renewal could start at once or never (Istio default 0.01)`);
    }
  }
  const workloadCertTtlMs = lifetimeMs(who, 'workloadCertTtl', input.workloadCertTtl ?? { toMilliseconds: defaultWorkloadCertTtlMs },
    LIFETIME_RULES.workload);
  return {
    trustDomain, istioNamespace, istioVersion, ambient,
    clusterName: input.clusterName ?? ISTIO_DEFAULTS.clusterName,
    clusterNameGiven: input.clusterName !== undefined,
    network: input.network,
    meshId: input.meshId,
    trustDomainAliases: aliases,
    workloadCertTtlMs,
    gracePeriodRatio,
    gracePeriodRatioJitter: jitter ?? DEFAULT_JITTER,
    jitterGiven: jitter !== undefined,
  };
}

/** The settings that follow from the mesh props and the integration's traits, beyond what the integration adds. */
export interface MeshTrust {
  /** istiod's MAX_WORKLOAD_CERT_TTL, where istiod signs. */
  readonly maxWorkloadCertTtlMs?: number;
  readonly istiodEnv: Readonly<Record<string, string>>;
  readonly proxyMetadata: Readonly<Record<string, string>>;
  /** Extra `meshConfig.caCertificates` entries. */
  readonly extraRoots: readonly { readonly pem: string }[];
  readonly istiodPodAnnotations?: Readonly<Record<string, string>>;
}

/** Validates the props whose meaning depends on the integration: signing limits, extra roots, multi-root, restarts. */
export function meshTrust(who: string, input: MeshInput, mesh: MeshModel, traits: IntegrationTraits): MeshTrust {
  const istiodEnv: Record<string, string> = {};
  let maxWorkloadCertTtlMs: number | undefined;
  if (traits.istiodSigns) {
    maxWorkloadCertTtlMs = lifetimeMs(who, 'maxWorkloadCertTtl', input.maxWorkloadCertTtl ?? { toMilliseconds: () => ISTIO_DEFAULTS.maxWorkloadCertTtlMs },
      LIFETIME_RULES.workload);
    check(who, workloadTtlProblem(mesh.workloadCertTtlMs, maxWorkloadCertTtlMs));
    istiodEnv[ISTIOD_ENV.MAX_WORKLOAD_CERT_TTL] = goDuration(maxWorkloadCertTtlMs);
  } else if (input.maxWorkloadCertTtl !== undefined) {
    fail(who, `'maxWorkloadCertTtl' (${goDuration((input.maxWorkloadCertTtl as { toMilliseconds(): number }).toMilliseconds())}) has no effect with ` +
      "istio-csr, where istiod signs nothing (ENABLE_CA_SERVER=false); remove it and bound lifetimes with istio-csr 'maxCertificateDuration'");
  }
  const extra = input.additionalTrustedRootsPem ?? [];
  if ((extra.length || input.multiRoot) && !traits.trustInMeshConfig) {
    fail(who, "'additionalTrustedRootsPem' and 'multiRoot' do not apply to istio-csr, whose trust comes from its rootCAFile " +
      "bundle (docs/reference.md §6.3); put every root into 'rootCaBundle' instead");
  }
  if (extra.length && input.multiRoot !== true) {
    fail(who, `'additionalTrustedRootsPem' (${extra.length} PEM) has no effect without 'multiRoot' (${input.multiRoot}): istiod reads ` +
      'extra meshConfig.caCertificates roots only with ISTIO_MULTIROOT_MESH=true (docs/reference.md §6.1, §12.3); set multiRoot: true');
  }
  const extraRoots = extra.map((pem, i) => {
    check(who, parseCaBundle(`additionalTrustedRootsPem[${i}]`, pem).problem);
    return { pem: normalisePem(pem) };
  });
  const proxyMetadata: Record<string, string> = {};
  if (mesh.jitterGiven) proxyMetadata[AGENT_ENV.SECRET_GRACE_PERIOD_RATIO_JITTER] = String(mesh.gracePeriodRatioJitter);
  if (input.multiRoot) {
    istiodEnv[ISTIOD_ENV.ISTIO_MULTIROOT_MESH] = 'true';
    proxyMetadata[AGENT_PCDS_ENV] = 'true';
  }
  const token = input.istiodRestartToken;
  if (token !== undefined && !LABEL_LIKE.test(token)) {
    fail(who, `'istiodRestartToken' (${token}) must be a label-like value: letters, digits, '-', '_' and '.'`);
  }
  return {
    maxWorkloadCertTtlMs, istiodEnv, proxyMetadata, extraRoots,
    istiodPodAnnotations: token !== undefined ? { [RESTART_ANNOTATION]: token } : undefined,
  };
}
