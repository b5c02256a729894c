/**
 * `npm run drill`: walks each integration's staged root rotation plan (with the library's computed waits) and the
 * seed article's one-step swap, with real mTLS handshakes on 127.0.0.1, and prints one line per phase and a table.
 * Exits non-zero unless every library plan has zero failed handshakes and the naive plan has failures.
 */
import { humanDuration } from '../src/model/durations';
import { DEFAULT_JITTER, rotationWaits } from '../src/model/rotation';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDefaultRotation } from '../examples/default/rotation';
import { IstioCsrRotationBuilder, KubernetesCsrRotationBuilder, ManualPluginCaRotationBuilder } from './rotation-builders';
import { RootCaRotation } from '../src/root-ca-rotation';
import { FIXTURES } from '../test/pki-fixtures';
import { naivePlan, PhaseResult, planFromRotation, runDrill, stagedPlan } from './drill';

const HOUR = 3_600_000;
const WORKLOADS = Number(process.env.DRILL_WORKLOADS ?? 6);

interface Scenario { name: string; ttlMs: number; pcds: boolean; naive: boolean; rotation?: () => RootCaRotation }
const scratch = () => mkdtempSync(join(tmpdir(), 'ica-drill-'));
const SCENARIOS: Scenario[] = [
  // The plans RootCaRotation generates, walked phase by phase with their computed waits.
  { name: 'plug-in CA, examples/default plan', ttlMs: 24 * HOUR, pcds: true, naive: false, rotation: () => buildDefaultRotation(scratch()) },
  {
    name: 'istio-csr, RootCaRotation plan', ttlMs: 1 * HOUR, pcds: false, naive: false,
    rotation: () => new RootCaRotation({ currentRootPem: FIXTURES.rootA, newRootPem: FIXTURES.rootB, builder: new IstioCsrRotationBuilder(), outdir: scratch() }),
  },
  {
    name: 'Kubernetes CSR, RootCaRotation plan', ttlMs: 12 * HOUR, pcds: true, naive: false,
    rotation: () => new RootCaRotation({ currentRootPem: FIXTURES.rootA, newRootPem: FIXTURES.rootB, builder: new KubernetesCsrRotationBuilder(), outdir: scratch() }),
  },
  {
    name: 'manual plug-in CA, RootCaRotation plan', ttlMs: 12 * HOUR, pcds: true, naive: false,
    rotation: () => new RootCaRotation({ currentRootPem: FIXTURES.rootA, newRootPem: FIXTURES.rootB, builder: new ManualPluginCaRotationBuilder(), outdir: scratch() }),
  },
  { name: 'naive one-step swap (seed article)', ttlMs: 24 * HOUR, pcds: false, naive: true },
];

export async function drillAll(log: (s: string) => void = console.log): Promise<{ scenario: Scenario; results: PhaseResult[] }[]> {
  const all: { scenario: Scenario; results: PhaseResult[] }[] = [];
  for (const sc of SCENARIOS) {
    // A generated plan brings its own lifetimes and PCDS setting; the others use the scenario's.
    const rotation = sc.rotation?.();
    const ttlMs = rotation ? rotation.cas[0].workloadCertTtl.toMilliseconds() : sc.ttlMs;
    const pcds = rotation ? rotation.phases[0].multiRoot : sc.pcds;
    log(`\n== ${sc.name}: ${WORKLOADS} workloads, SECRET_TTL ${humanDuration(ttlMs)}, ratio 0.5, jitter ${DEFAULT_JITTER}, ${pcds ? 'PCDS push' : 'bundle at next fetch'}`);
    const phases = sc.naive ? naivePlan(ttlMs) : rotation ? planFromRotation(rotation) : stagedPlan(rotationWaits(ttlMs, pcds), ttlMs);
    const results = await runDrill({
      workloads: WORKLOADS, workloadCertTtlMs: ttlMs, gracePeriodRatio: 0.5, jitter: DEFAULT_JITTER,
      pcds, phases, tickMs: ttlMs / 24, log,
    });
    all.push({ scenario: sc, results });
  }
  return all;
}

if (require.main === module) {
  drillAll().then((all) => {
    console.log('\nplan                                   phase               handshakes  failed');
    let ok = true;
    for (const { scenario, results } of all) {
      for (const r of results) console.log(`${scenario.name.padEnd(38)} ${r.phase.padEnd(19)} ${String(r.attempted).padStart(10)}  ${String(r.failed).padStart(6)}`);
      const failed = results.reduce((n, r) => n + r.failed, 0);
      if (scenario.naive ? failed === 0 : failed > 0) ok = false;
    }
    console.log(ok ? '\nresult: every staged plan kept all handshakes working; the naive swap broke some' : '\nresult: UNEXPECTED');
    process.exitCode = ok ? 0 : 1;
  }).catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
