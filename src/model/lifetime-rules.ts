/**
 * Cross-checks between lifetimes, written once and shared by the constructs (and the linter).
 * Each returns a problem message without the construct prefix, or undefined.
 */
import { goDuration, LifetimeRule } from './durations';

/**
 * Lifetime rules, one per kind of lifetime, with the reason for each minimum.
 * - Workload certificates: SECRET_TTL is whole seconds (pilot-agent parses it into time.Duration and requests
 *   `int64(ttl.Seconds())`, so 1500ms would request 1s and 1ms would request 0, which istiod answers with its 24h
 *   default: pilot/cmd/pilot-agent/options, security/pkg/nodeagent/cache). Below 5 minutes every proxy would fetch a
 *   certificate every few minutes; the library refuses that as a mistake (cert-manager's own floor for renewBefore).
 * - cert-manager Certificates: `duration` ≥ 1h and `renewBefore` ≥ 5m (cert-manager pkg/apis/certmanager/v1 const.go).
 * - Vault TTLs and alert thresholds: whole seconds.
 */
const CERT_MANAGER_DURATION = { minMs: 3_600_000, minWhy: "cert-manager's minimum Certificate duration" } as const;

export const LIFETIME_RULES = {
  workload: { minMs: 300_000, minWhy: 'shorter workload certificates make every proxy re-fetch within minutes', wholeSeconds: true },
  certManagerDuration: CERT_MANAGER_DURATION,
  certManagerRenewBefore: { minMs: 300_000, minWhy: "cert-manager's minimum renewBefore" },
  vaultTtl: { minMs: 1000, wholeSeconds: true },
  /** A Vault root CA: as long as a cert-manager Certificate may be, in Vault's whole seconds. */
  vaultRootTtl: { ...CERT_MANAGER_DURATION, wholeSeconds: true },
  alertTime: { minMs: 1000, wholeSeconds: true },
} as const satisfies Record<string, LifetimeRule>;

/** cert-manager renews at `duration - renewBefore`; renewBefore ≥ duration is ignored (docs/reference.md §2a, §11h). */
export function renewBeforeProblem(durationMs: number, renewBeforeMs: number): string | undefined {
  if (renewBeforeMs > 0 && renewBeforeMs < durationMs) return undefined;
  return `'renewBefore' (${goDuration(renewBeforeMs)}) must be shorter than 'duration' (${goDuration(durationMs)}); ` +
    'cert-manager ignores a renewBefore that is not; shorten renewBefore or lengthen duration';
}

/** cert-manager's minimum Certificate duration is 1h (docs/reference.md §2a); used by the linter on plain values. */
export function certManagerMinimumProblem(prop: string, ms: number): string | undefined {
  if (ms >= LIFETIME_RULES.certManagerDuration.minMs) return undefined;
  return `'${prop}' (${goDuration(ms)}) is below cert-manager's minimum Certificate duration of 1h; use 1h or more`;
}

/** A leaf cannot outlive the intermediate that signs it (docs/reference.md §1.3). */
export function intermediateOutlivesLeafProblem(durationMs: number, maxWorkloadCertTtlMs: number): string | undefined {
  if (durationMs > maxWorkloadCertTtlMs) return undefined;
  return `'duration' (${goDuration(durationMs)}) of the intermediate must exceed 'maxWorkloadCertTtl' ` +
    `(${goDuration(maxWorkloadCertTtlMs)}), because a workload certificate cannot outlive its signer; ` +
    'lengthen the intermediate duration or lower maxWorkloadCertTtl';
}

/**
 * When cert-manager renews the intermediate, leaves signed by the old one must still be inside its life:
 * renewBefore must cover one workload certificate lifetime (docs/reference.md §1.3, §5.1).
 */
export function renewalCoversLeafProblem(renewBeforeMs: number, workloadCertTtlMs: number): string | undefined {
  if (renewBeforeMs >= workloadCertTtlMs) return undefined;
  return `'renewBefore' (${goDuration(renewBeforeMs)}) of the intermediate must be at least 'workloadCertTtl' ` +
    `(${goDuration(workloadCertTtlMs)}), so that leaves signed just before renewal expire before the old ` +
    'intermediate does; raise renewBefore or shorten workloadCertTtl';
}

/** istiod rejects requests above MAX_WORKLOAD_CERT_TTL with TTL_ERROR (docs/reference.md §5.2). */
export function workloadTtlProblem(workloadCertTtlMs: number, maxWorkloadCertTtlMs: number): string | undefined {
  if (workloadCertTtlMs <= maxWorkloadCertTtlMs) return undefined;
  return `'workloadCertTtl' (${goDuration(workloadCertTtlMs)}) must not exceed 'maxWorkloadCertTtl' ` +
    `(${goDuration(maxWorkloadCertTtlMs)}), or istiod rejects every CSR with TTL_ERROR; ` +
    'raise maxWorkloadCertTtl or shorten workloadCertTtl';
}

/** The agent rotates at `ratio` of remaining life; 0 and 1 make it rotate never or constantly (§5.1). */
export function graceRatioProblem(ratio: number): string | undefined {
  if (Number.isFinite(ratio) && ratio > 0 && ratio < 1) return undefined;
  return `'gracePeriodRatio' (${ratio}) must be greater than 0 and less than 1; it is the fraction of a ` +
    'workload certificate\'s life left when the proxy renews it (Istio default 0.5)';
}

/** The CA above an intermediate must outlive it (a CA cannot sign past its own NotAfter). */
export function signerOutlivesProblem(signer: string, signerMs: number, durationMs: number): string | undefined {
  if (signerMs > durationMs) return undefined;
  return `${signer} lives ${goDuration(signerMs)}, which must exceed the intermediate 'duration' ` +
    `(${goDuration(durationMs)}), because a CA cannot issue a certificate that outlives it; ` +
    'lengthen the root or shorten the intermediate duration';
}

/** Vault caps a requested lifetime to the role max_ttl or mount max lease TTL silently (docs/reference.md §4.3, §11h). */
export function vaultCapProblem(requested: string, requestedMs: number, cap: string, capMs: number): string | undefined {
  if (requestedMs <= capMs) return undefined;
  return `${requested} (${goDuration(requestedMs)}) exceeds ${cap} (${goDuration(capMs)}); Vault would silently cap it ` +
    '(docs/reference.md §4.3); raise the Vault limit or shorten the lifetime';
}
