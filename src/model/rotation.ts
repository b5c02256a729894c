/**
 * Durations of a staged root rotation (istio-ca-facts.md §6: trust A+B → issue from B → drop A), from the
 * configured lifetimes. Shared by the alerts (root expiry lead) and the rotation plans.
 */

/** Default SECRET_GRACE_PERIOD_RATIO_JITTER (istio-ca-facts.md §5.1). */
export const DEFAULT_JITTER = 0.01;

/**
 * The shortest time a staged root rotation takes: every proxy must hold A+B (one full workload certificate
 * lifetime, plus jitter), then every leaf must be re-issued from B (one more lifetime, plus jitter), plus one day
 * for the istiod restart and the checks between phases.
 */
export function rootRotationPlanMs(workloadCertTtlMs: number, jitter = DEFAULT_JITTER): number {
  return 2 * workloadCertTtlMs * (1 + jitter) + 24 * 3_600_000;
}
