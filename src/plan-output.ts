/**
 * What the staged plans (`RootCaRotation`, `AdoptEnterpriseCa`) share: their two roots, checked, and the files they
 * write (every phase folder's `MeshApp` output, its `preconditions.json`, and the runbook).
 */
import { X509Certificate } from 'node:crypto';
import { relative, sep } from 'node:path';
import { MeshApp } from './mesh-app';
import { GeneratedFile, writeOutputTree } from './output-tree';
import { check, fail } from './model/errors';
import { dnText, normalisePem, parseCaBundle, pemCertificates } from './model/pem';
import { CaIntegrationType } from './model/integration-traits';
import { rotationWaits, RotationWaits } from './model/rotation';
import { PhasePreconditions } from './rotation-preconditions';
import { observeRootChange, readPhaseEvidence, RotationObservation } from './rotation-evidence';

/** The current and the new root of a root change, as normalised PEM; refuses the same root, or B carrying A along. */
export function rootChangeRoots(construct: string, current: [string, string], next: [string, string]): [string, string] {
  check(construct, parseCaBundle(current[0], current[1]).problem);
  check(construct, parseCaBundle(next[0], next[1]).problem);
  const a = normalisePem(current[1]);
  const b = normalisePem(next[1]);
  if (a === b) fail(construct, `'${next[0]}' is the same certificate as '${current[0]}'; give the new root`);
  // The new root must not bring the current one along: the last phase would then keep trusting it.
  if (b.includes(a.trim())) {
    fail(construct, `'${next[0]}' still contains the current root ('${current[0]}'); give only the new root, the plan adds the current ` +
      'one where both must be trusted');
  }
  // Certificate by certificate: a root in both would stay trusted after the last phase, or be "new" while already in use.
  const shared = pemCertificates(b).filter((c) => pemCertificates(a).includes(c));
  if (shared.length > 0) {
    fail(construct, `'${next[0]}' and '${current[0]}' share ${shared.length} certificate(s) (${dnText(new X509Certificate(shared[0]).subject)}); ` +
      'give the roots in use now as the current root and only roots not yet in use as the new one');
  }
  return [a, b];
}

/** Writes a plan: each app's files under its folder, each phase's preconditions, and the runbook, all at once. */
export function writePlan(outdir: string, apps: readonly MeshApp[], rendered: readonly GeneratedFile[][], preconditions: readonly PhasePreconditions[],
  runbook: GeneratedFile): void {
  const files: GeneratedFile[] = apps.flatMap((app, i) =>
    rendered[i].map((f) => ({ path: `${relative(outdir, app.rootOutdir).split(sep).join('/')}/${f.path}`, content: f.content })));
  for (const p of preconditions) files.push({ path: `${p.folder}/preconditions.json`, content: `${JSON.stringify(p, undefined, 2)}\n` });
  files.push(runbook);
  writeOutputTree(outdir, files);
}

/** The integration a phase builder declares (the plan's phase settings depend on it, so it is declared, not discovered). */
export function builderIntegration(construct: string, builder: { readonly integration: CaIntegrationType }): CaIntegrationType {
  if (!Object.values(CaIntegrationType).includes(builder.integration)) {
    fail(construct, `'builder.integration' (${builder.integration}) must be a CaIntegrationType, e.g. CaIntegrationType.CERT_MANAGER_PLUGIN_CA`);
  }
  return builder.integration;
}

/**
 * Renders every phase of a root change A → B and reads back what its files configure; refuses a plan whose output
 * breaks a phase's invariant (a builder that dropped a phase setting), naming the phase and the file.
 */
export function checkedPhaseOutputs(construct: string, apps: readonly MeshApp[],
  phases: readonly { readonly folder: string; readonly issueFromNew: boolean; readonly trustedRootsPem: readonly string[] }[],
  integration: CaIntegrationType, switchNeedsRestart?: boolean): { files: GeneratedFile[][]; observation: RotationObservation } {
  const files = apps.map((app) => app.renderOutput());
  const [a, b] = phases[0].trustedRootsPem;
  const observation = observeRootChange(phases.map((p) => p.folder), files.map((f) => readPhaseEvidence(f, integration)), a, b,
    integration, phases.map((p) => (p.issueFromNew ? 'B' : 'A')), switchNeedsRestart);
  if (observation.problems.length > 0) fail(construct, `the builder's output breaks the plan: ${observation.problems.join('; ')}`);
  return { files, observation };
}

/**
 * The minimum waits of a plan whose phases built `cas`: from the longest workload lifetime and jitter of any phase,
 * with trust pushed over PCDS when `pcds`.
 */
export function planWaits(cas: readonly { readonly workloadCertTtl: { toMilliseconds(): number }; readonly gracePeriodRatioJitter: number }[], pcds: boolean): RotationWaits {
  return rotationWaits(Math.max(...cas.map((c) => c.workloadCertTtl.toMilliseconds())), pcds, Math.max(...cas.map((c) => c.gracePeriodRatioJitter)));
}
