/**
 * `npm run drill`: walks each integration's staged root rotation plan and each adoption plan (with the library's
 * computed waits), the seed article's one-step swap and the one-step adoption switch, with real mTLS handshakes on
 * 127.0.0.1, then the fleet plans of examples/fleet (FleetRootRotation and the Vault fleet's MeshFleetRootRotation) with
 * cross-cluster traffic and the same fleet moving one cluster first; prints one line per phase and a table. Exits non-zero unless every library plan has zero failed handshakes
 * and both one-step plans and the premature fleet move have failures.
 */
import { humanDuration } from '../src/model/durations';
import { DEFAULT_JITTER } from '../src/model/rotation';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDefaultRotation } from '../examples/default/rotation';
import { IstioCsrRotationBuilder, KubernetesCsrRotationBuilder, ManualPluginCaRotationBuilder } from './rotation-builders';
import { IRotationPhaseBuilder, RootCaRotation } from '../src/root-ca-rotation';
import { AdoptEnterpriseCa } from '../src/adopt-enterprise-ca';
import { buildAdoption, CertManagerAdoptionBuilder, KubernetesCsrAdoptionBuilder, ManualAdoptionBuilder } from '../examples/adopt-enterprise-ca/adopt';
import { FIXTURES } from '../test/pki-fixtures';
import { buildFleetRotation } from '../examples/fleet/rotation';
import { buildVaultFleetRotation } from '../examples/fleet/vault-rotation';
import { drillVerdict, fleetDrillClusters, naivePlan, PhaseResult, planFromFleetRotation, planFromRotation, runDrill, runFleetDrill } from './drill';

const HOUR = 3_600_000;
const WORKLOADS = Number(process.env.DRILL_WORKLOADS ?? 16);

/**
 * A generated plan to walk, or none: the seed article's one-step swap (24h certificates, no PCDS). `passes`: whether
 * the plan must keep every handshake working (default: when it is a generated plan).
 */
interface Scenario { name: string; rotation?: () => RootCaRotation | AdoptEnterpriseCa; passes?: boolean }
const scratch = () => mkdtempSync(join(tmpdir(), 'ica-drill-'));
const plan = (builder: IRotationPhaseBuilder) => () =>
  new RootCaRotation({ currentRootPem: FIXTURES.rootA, newRootPem: FIXTURES.rootB, builder, outdir: scratch() });
const SCENARIOS: Scenario[] = [
  // The plans RootCaRotation generates, walked phase by phase with their computed waits.
  { name: 'plug-in CA, examples/default plan', rotation: () => buildDefaultRotation(scratch()) },
  { name: 'istio-csr, RootCaRotation plan', rotation: plan(new IstioCsrRotationBuilder()) },
  { name: 'Kubernetes CSR, RootCaRotation plan', rotation: plan(new KubernetesCsrRotationBuilder()) },
  { name: 'manual plug-in CA, RootCaRotation plan', rotation: plan(new ManualPluginCaRotationBuilder()) },
  { name: 'naive one-step swap (seed article)' },
  // Adopting an enterprise CA in a mesh on istiod's self-signed root (AdoptEnterpriseCa).
  { name: 'adopt: cert-manager plug-in CA', rotation: () => buildAdoption(new CertManagerAdoptionBuilder(), scratch()) },
  { name: 'adopt: Vault behind cert-manager', rotation: () => buildAdoption(new CertManagerAdoptionBuilder({ vault: true }), scratch()) },
  { name: 'adopt: manual plug-in CA', rotation: () => buildAdoption(new ManualAdoptionBuilder(), scratch()) },
  { name: 'adopt: Kubernetes CSR', rotation: () => buildAdoption(new KubernetesCsrAdoptionBuilder(), scratch()) },
  // Plug the enterprise CA in and restart istiod in one step: issuing from B while workloads trust only A.
  { name: 'adopt: one-step switch' },
];

export async function drillAll(log: (s: string) => void = console.log): Promise<{ scenario: Scenario; results: PhaseResult[] }[]> {
  const all: { scenario: Scenario; results: PhaseResult[] }[] = [];
  for (const sc of SCENARIOS) {
    // A generated plan brings its own lifetimes and PCDS setting.
    const rotation = sc.rotation?.();
    const ca = rotation?.cas[0];
    const ttlMs = ca ? ca.workloadCertTtl.toMilliseconds() : 24 * HOUR;
    const ratio = ca?.gracePeriodRatio ?? 0.5;
    const jitter = ca?.gracePeriodRatioJitter ?? DEFAULT_JITTER;
    const pcds = rotation ? rotation.phases[0].multiRoot : false;
    log(`\n== ${sc.name}: ${WORKLOADS} workloads, SECRET_TTL ${humanDuration(ttlMs)}, ratio ${ratio}, jitter ${jitter}, ${pcds ? 'PCDS push' : 'bundle at next fetch'}`);
    const phases = rotation ? planFromRotation(rotation) : naivePlan(ttlMs);
    const results = await runDrill({ workloads: WORKLOADS, workloadCertTtlMs: ttlMs, gracePeriodRatio: ratio, jitter, pcds, phases, tickMs: ttlMs / 24, log });
    all.push({ scenario: sc, results });
  }
  return [...all, ...(await drillFleet(log))];
}

/**
 * The fleet plan of examples/fleet (three clusters, each moving in its own step) with cross-cluster traffic, the same
 * fleet with one cluster moving before the others trust the new root, and the Vault fleet's plan (MeshFleetRootRotation).
 */
async function drillFleet(log: (s: string) => void): Promise<{ scenario: Scenario; results: PhaseResult[] }[]> {
  const rotation = buildFleetRotation(scratch());
  const clusters = fleetDrillClusters(rotation);
  const ttlMs = Math.min(...clusters.map((c) => c.workloadCertTtlMs!));
  const ca = rotation.clusters[0].cas[0];
  const perCluster = Math.max(2, Math.round(WORKLOADS / clusters.length));
  const staged = planFromFleetRotation(rotation);
  const before = { issueFrom: 'A' as const, trust: ['A' as const] };
  const premature = [{ name: 'east-moves-first', durationMs: ttlMs, clusters: [staged[1].clusters[0], ...clusters.slice(1).map(() => before)] }];
  // The Vault fleet of examples/fleet, as MeshFleetRootRotation plans it.
  const vaultPlan = buildVaultFleetRotation(scratch()).clusterPlan!;
  const out: { scenario: Scenario; results: PhaseResult[] }[] = [];
  for (const [scenario, phases, drilled] of [[{ name: 'fleet: examples/fleet plan', passes: true }, staged, clusters],
    [{ name: 'fleet: one cluster moves first', passes: false }, premature, clusters],
    [{ name: 'fleet: Vault fleet plan', passes: true }, planFromFleetRotation(vaultPlan), fleetDrillClusters(vaultPlan)]] as const) {
    const ttl = Math.min(...drilled.map((c) => c.workloadCertTtlMs!));
    log(`\n== ${scenario.name}: ${drilled.length} clusters × ${perCluster} workloads, SECRET_TTL ${humanDuration(ttl)}, clients call every other cluster`);
    const results = await runFleetDrill({
      workloads: perCluster, workloadCertTtlMs: ttl, gracePeriodRatio: ca.gracePeriodRatio, jitter: ca.gracePeriodRatioJitter, pcds: false,
      clusters: [...drilled], phases: [...phases], tickMs: ttl / 24, log,
    });
    out.push({ scenario, results });
  }
  return out;
}

if (require.main === module) {
  drillAll().then((all) => {
    console.log('\nplan                                   phase                        handshakes  failed  timeouts');
    let ok = true;
    for (const { scenario, results } of all) {
      for (const r of results) {
        console.log(`${scenario.name.padEnd(38)} ${r.phase.padEnd(28)} ${String(r.attempted).padStart(10)}  ${String(r.failed).padStart(6)}  ${String(r.timeouts).padStart(8)}`);
      }
      const verdict = drillVerdict(results);
      for (const v of verdict) console.log(`  ${v}`);
      // A library plan must pass cleanly; the naive swap must fail by rejections (timeouts never decide).
      if ((scenario.passes ?? scenario.rotation !== undefined) ? verdict.length > 0 : !results.some((r) => r.failed > 0)) ok = false;
    }
    console.log(ok ? '\nresult: every staged plan kept all handshakes working; the naive swap broke some' : '\nresult: UNEXPECTED');
    process.exitCode = ok ? 0 : 1;
  }).catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
