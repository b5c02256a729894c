/**
 * cert-manager versions and the version boundaries the alerts depend on, one row per fact with its source.
 */
import { parseSemver } from './istio-version';

/** The newest cert-manager release the shipped CRD schemas come from (shared/schemas: v1.21.1). */
export const DEFAULT_CERT_MANAGER_VERSION = 'v1.21';
/** Oldest cert-manager the alert metrics were checked against (docs/reference.md §7.5). */
export const OLDEST_CERT_MANAGER = 'v1.12';

/** cert-manager facts by id; `since` is the first minor release where the fact holds. */
export const CERT_MANAGER_FACTS = {
  /** `certmanager_issuer_ready_status` / `certmanager_clusterissuer_ready_status` exist. */
  ISSUER_READY_METRICS: {
    since: 'v1.20',
    fact: 'cert-manager exports certmanager_issuer_ready_status and certmanager_clusterissuer_ready_status',
    source: 'https://github.com/cert-manager/cert-manager/tree/v1.20.0/internal/collectors (issuer_collector.go, clusterissuer_collector.go)',
  },
} as const;

export type CertManagerFactId = keyof typeof CERT_MANAGER_FACTS;

/** Problem text when `text` is not a cert-manager version this library knows, else undefined. */
export function certManagerVersionProblem(prop: string, text: string): string | undefined {
  const v = parseSemver(text);
  const oldest = parseSemver(OLDEST_CERT_MANAGER)!;
  if (v && v[0] === 1 && v[1] >= oldest[1]) return undefined;
  return `'${prop}' (${text}) is not a supported cert-manager version; give 'v1.<minor>' with minor ${oldest[1]} or later ` +
    `(default ${DEFAULT_CERT_MANAGER_VERSION})`;
}

/** True when the fact holds for cert-manager `version` (already valid). */
export function certManagerHolds(id: CertManagerFactId, version: string): boolean {
  const v = parseSemver(version)!;
  const s = parseSemver(CERT_MANAGER_FACTS[id].since)!;
  return v[0] > s[0] || (v[0] === s[0] && v[1] >= s[1]);
}
