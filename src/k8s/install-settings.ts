import { goDuration } from '../model/durations';
import { InstallSettings } from '../model/install-config';
import { AGENT_ENV } from '../model/istio-settings';
import { MeshModel, MeshTrust } from '../model/mesh-model';
import { IntegrationContribution } from './integrations/integration-variant';

/** The install configuration from the validated mesh, the integration's contribution and the settings of both. */
export function installSettings(mesh: MeshModel, c: IntegrationContribution, trust: MeshTrust): InstallSettings {
  const caCertificates = [...c.caCertificates, ...trust.extraRoots];
  const global: Record<string, unknown> = { ...c.global };
  if (mesh.clusterNameGiven) global.multiCluster = { clusterName: mesh.clusterName };
  if (mesh.network !== undefined) global.network = mesh.network;
  if (mesh.meshId !== undefined) global.meshID = mesh.meshId;
  const secretTtl = { [AGENT_ENV.SECRET_TTL]: goDuration(mesh.workloadCertTtlMs) };
  return {
    istioVersion: mesh.istioVersion,
    istioNamespace: mesh.istioNamespace,
    trustDomain: mesh.trustDomain,
    proxyMetadata: { ...secretTtl, [AGENT_ENV.SECRET_GRACE_PERIOD_RATIO]: String(mesh.gracePeriodRatio), ...c.proxyMetadata, ...trust.proxyMetadata },
    istiodEnv: { ...c.istiodEnv, ...trust.istiodEnv },
    istiodEnvReplacements: c.istiodEnvReplacements,
    meshConfig: {
      ...(caCertificates.length ? { caCertificates } : {}),
      ...(mesh.trustDomainAliases.length ? { trustDomainAliases: [...mesh.trustDomainAliases] } : {}),
    },
    istiodPodAnnotations: trust.istiodPodAnnotations,
    global: Object.keys(global).length ? global : undefined,
    // ztunnel reads its own env and CA address (docs/reference.md §2b, §5.1).
    // ztunnel announces its own multiCluster.clusterName as cluster ID; the CA rejects one it does not know (§12.4).
    ztunnel: mesh.ambient ? {
      ...(c.caAddress ? { caAddress: c.caAddress } : {}),
      ...(mesh.clusterNameGiven ? { multiCluster: { clusterName: mesh.clusterName } } : {}),
      ...(mesh.network !== undefined ? { network: mesh.network } : {}),
      env: secretTtl,
    } : undefined,
  };
}
