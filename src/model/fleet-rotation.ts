/**
 * A root change A → B across the clusters of one mesh, as plain data: every cluster trusts A and B, then the clusters
 * move to issuing from B one at a time, then every cluster drops A. The single-cluster phases (ROTATION_PHASES) are
 * what each cluster goes through; a fleet step says which of them each cluster is in. Pure.
 */
import { ROTATION_PHASES } from './rotation';

/** A cluster's state in a step: 0 before the plan (issue A, trust A), else the single-cluster phase (1, 2 or 3). */
export type ClusterPhase = 0 | 1 | 2 | 3;

/** One fleet step: one GitOps commit, applied to the clusters whose phase changes. */
export interface FleetStep {
  readonly folder: string;
  readonly title: string;
  /** Each cluster's phase in this step, in the order of the clusters. */
  readonly phases: readonly ClusterPhase[];
  /** The cluster that moves to B in this step (index), for the move steps. */
  readonly moves?: number;
}

/**
 * The steps for `names`, in order: `1-trust-both`, one `2-<k>-issue-from-new-<name>` per cluster (k padded so the
 * folders sort), `3-drop-old`.
 */
export function fleetRotationSteps(names: readonly string[]): FleetStep[] {
  const [trust, issue, drop] = ROTATION_PHASES;
  const width = String(names.length).length;
  return [
    { folder: trust.folder, title: `${trust.title}, in every cluster`, phases: names.map(() => 1) },
    ...names.map((name, k): FleetStep => ({
      folder: `2-${String(k + 1).padStart(width, '0')}-issue-from-new-${name}`,
      title: `${name}: ${issue.title.toLowerCase()}`,
      phases: names.map((_, i) => (i <= k ? 2 : 1)),
      moves: k,
    })),
    { folder: drop.folder, title: `${drop.title}, in every cluster`, phases: names.map(() => 3) },
  ];
}

/** What a cluster's files make it do in one step: the root it issues from and the roots it trusts. */
export interface FleetClusterState {
  readonly name: string;
  readonly issueFrom: string;
  readonly trust: readonly string[];
  /** Trust changes reach its proxies over PCDS (else with their next certificate). */
  readonly pcds?: boolean;
}

/**
 * Handshakes a sequence of fleet states would break. While a step rolls out, a cluster's workloads hold leaves from
 * the root it issued from before and the one it issues from now, and trust either the old or the new bundle; so
 * every cluster must trust both issuing roots of every cluster (itself included) in both states. `before` is the
 * fleet before the first step. Empty when every handshake across the fleet keeps working.
 */
export function fleetStepProblems(before: readonly FleetClusterState[], steps: readonly { readonly folder: string; readonly clusters: readonly FleetClusterState[] }[]): string[] {
  const problems: string[] = [];
  steps.forEach((step, s) => {
    const prev = s === 0 ? before : steps[s - 1].clusters;
    step.clusters.forEach((x, i) => {
      const issuing = [...new Set([prev[i].issueFrom, x.issueFrom])];
      step.clusters.forEach((y, j) => {
        const trusted = y.trust.filter((r) => prev[j].trust.includes(r));
        const missing = issuing.filter((r) => !trusted.includes(r));
        if (missing.length === 0) return;
        const who = i === j ? `cluster '${x.name}'` : `cluster '${y.name}'`;
        problems.push(`step ${step.folder}: ${who} does not trust root ${missing.join(' and ')} throughout the step, but ` +
          `${i === j ? 'its own' : `cluster '${x.name}''s`} workloads hold leaves from it: ${i === j ? 'its' : `'${y.name}''s`} workloads refuse them. ` +
          'Every cluster must trust a root before any cluster issues from it, and keep it until no cluster issues from it');
      });
    });
  });
  return problems;
}
