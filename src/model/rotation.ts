/**
 * The staged root rotation of docs/reference.md §6 (trust A+B → issue from B → drop A) as plain data: phase
 * names and the minimum waits between phases, computed from the configured lifetimes. Shared by the alerts (root
 * expiry lead), `RootCaRotation` (ROTATION.md) and the rotation drill.
 */

/** Default SECRET_GRACE_PERIOD_RATIO_JITTER (docs/reference.md §5.1). */
export const DEFAULT_JITTER = 0.01;

/** Time for istiod to push a changed trust bundle over PCDS and for the phase's checks (§1.3). */
export const PCDS_PROPAGATION_MS = 3_600_000;

/** The three phases, in order; each is one GitOps commit. */
export const ROTATION_PHASES = [
  { id: 1, folder: '1-trust-both', title: 'Trust the current and the new root' },
  { id: 2, folder: '2-issue-from-new', title: 'Issue from the new root' },
  { id: 3, folder: '3-drop-old', title: 'Drop the old root' },
] as const;

/**
 * Adopting a CA in a mesh on istiod's self-signed root: the same three steps, with istiod's self-signed CA as the
 * current root and the switch made by plugging the CA in (istio/istio#57853: istiod must restart to see it).
 */
export const ADOPTION_PHASES = [
  { id: 1, folder: ROTATION_PHASES[0].folder, title: "Trust the enterprise root beside istiod's self-signed root (istiod keeps signing)" },
  { id: 2, folder: '2-issue-from-enterprise', title: 'Plug the enterprise CA in and restart istiod' },
  { id: 3, folder: '3-drop-self-signed', title: 'Drop the self-signed root' },
] as const;

/** Minimum waits after phase 1 and after phase 2. */
export interface RotationWaits {
  /** Until every proxy trusts A+B. */
  readonly afterTrustBothMs: number;
  /** Until no leaf signed under A is left. */
  readonly afterIssueFromNewMs: number;
}

/**
 * Waits from the lifetimes (§6.1): with PCDS (ISTIO_MULTIROOT_MESH + PROXY_CONFIG_XDS_AGENT) proxies get A+B
 * pushed; without it only at their next certificate fetch, which comes at the latest one workload lifetime (plus
 * jitter) later. After issuing from B, every leaf signed under A must have been replaced: one leaf lifetime plus
 * jitter (§6.1 step 4).
 */
export function rotationWaits(workloadCertTtlMs: number, pcds: boolean, jitter = DEFAULT_JITTER): RotationWaits {
  const lifetime = Math.ceil(workloadCertTtlMs * (1 + jitter));
  return { afterTrustBothMs: pcds ? PCDS_PROPAGATION_MS : lifetime, afterIssueFromNewMs: lifetime };
}

/**
 * The shortest time a staged root rotation takes without PCDS (the worst case): both waits, plus one day for the
 * istiod restart and the checks between phases.
 */
export function rootRotationPlanMs(workloadCertTtlMs: number, jitter = DEFAULT_JITTER): number {
  const w = rotationWaits(workloadCertTtlMs, false, jitter);
  return w.afterTrustBothMs + w.afterIssueFromNewMs + 24 * 3_600_000;
}
