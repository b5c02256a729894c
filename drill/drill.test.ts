import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_JITTER, rotationWaits } from '../src/model/rotation';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDefaultRotation } from '../examples/default/rotation';
import { IRotationPhaseBuilder, MeshApp, RootCaRotation, RotationPhase } from '../src';
import { observeRootChange, readPhaseEvidence } from '../src/rotation-evidence';
import { PluginCaRotationBuilder } from '../examples/root-rotation/rotation';
import { FIXTURES } from '../test/pki-fixtures';
import { IstioCsrRotationBuilder, KubernetesCsrRotationBuilder, ManualPluginCaRotationBuilder } from './rotation-builders';
import { buildAdoption, CertManagerAdoptionBuilder, KubernetesCsrAdoptionBuilder, ManualAdoptionBuilder } from '../examples/adopt-enterprise-ca/adopt';
import { buildFleetRotation } from '../examples/fleet/rotation';
import { drillVerdict, fleetDrillClusters, naivePlan, planFromFleetRotation, planFromObserved, planFromRotation, runDrill, runFleetDrill, stagedPlan } from './drill';

const HOUR = 3_600_000;
// No real-time limit: the drill is bounded by its ticks, and npm test must not fail because the machine is slow.
const base = { workloads: 4, workloadCertTtlMs: HOUR, gracePeriodRatio: 0.5, jitter: DEFAULT_JITTER, tickMs: HOUR / 24, realTimeLimitMs: Infinity };
const total = (rs: { failed: number }[]) => rs.reduce((n, r) => n + r.failed, 0);
const timeouts = (rs: { timeouts: number }[]) => rs.reduce((n, r) => n + r.timeouts, 0);

/**
 * A plan forced past RootCaRotation's own check: each phase built by hand from edited settings, its files read back
 * as the drill reads a real plan's. Returns the drill phases and what the plan would have said.
 */
function forcedPlan(builder: IRotationPhaseBuilder, edit: (p: RotationPhase) => RotationPhase) {
  const settings = RootCaRotation.phaseSettings(builder.integration, FIXTURES.rootA, FIXTURES.rootB).map(edit);
  const apps = settings.map((p) => ({ app: new MeshApp({ outdir: mkdtempSync(join(tmpdir(), 'ica-forced-')) }), p }));
  const cas = apps.map(({ app, p }) => builder.buildPhase(app, p));
  const evidence = apps.map(({ app }) => readPhaseEvidence(app.renderOutput(), builder.integration));
  const observed = observeRootChange(settings.map((p) => p.folder), evidence, FIXTURES.rootA, FIXTURES.rootB, builder.integration,
    settings.map((p) => (p.issueFromNew ? 'B' : 'A')));
  const ttl = cas[0].workloadCertTtl.toMilliseconds();
  return { problems: observed.problems, ttl, phases: planFromObserved(observed.phases, rotationWaits(ttl, true), ttl) };
}

describe('rotation drill (real mTLS on 127.0.0.1)', () => {
  it('the staged plan with the computed waits keeps every handshake working, with and without PCDS', async () => {
    for (const pcds of [false, true]) {
      const results = await runDrill({ ...base, pcds, phases: stagedPlan(rotationWaits(HOUR, pcds), HOUR) });
      assert.deepEqual(results.map((r) => r.phase), ['1-trust-both', '2-issue-from-new', '3-drop-old']);
      assert.ok(results.every((r) => r.attempted > 0));
      assert.equal(total(results), 0, `pcds=${pcds}: ${JSON.stringify(results)}`);
    }
  });

  it('the plan RootCaRotation generates for examples/default keeps every handshake working', async () => {
    const rotation = buildDefaultRotation(mkdtempSync(join(tmpdir(), 'ica-drill-')));
    const phases = planFromRotation(rotation);
    assert.deepEqual(phases.map((p) => [p.name, p.issueFrom, p.trust.join('+')]),
      [['1-trust-both', 'A', 'A+B'], ['2-issue-from-new', 'B', 'A+B'], ['3-drop-old', 'B', 'B']]);
    const ttl = rotation.cas[0].workloadCertTtl.toMilliseconds();
    const results = await runDrill({ ...base, workloadCertTtlMs: ttl, tickMs: ttl / 24, pcds: true, phases });
    assert.deepEqual(drillVerdict(results), [], JSON.stringify(results));
  });

  it('the RootCaRotation plans for istio-csr, Kubernetes CSR and the manual plug-in CA keep every handshake working', async () => {
    for (const builder of [new IstioCsrRotationBuilder(), new KubernetesCsrRotationBuilder(), new ManualPluginCaRotationBuilder()]) {
      const rotation = new RootCaRotation({ currentRootPem: FIXTURES.rootA, newRootPem: FIXTURES.rootB, builder, outdir: mkdtempSync(join(tmpdir(), 'ica-drill-')) });
      const ttl = rotation.cas[0].workloadCertTtl.toMilliseconds();
      const pcds = rotation.phases[0].multiRoot;
      const results = await runDrill({ ...base, workloadCertTtlMs: ttl, tickMs: ttl / 24, pcds, phases: planFromRotation(rotation) });
      assert.deepEqual(drillVerdict(results), [], `${rotation.integration}: ${JSON.stringify(results)}`);
    }
  });

  it('AdoptEnterpriseCa: every variant keeps every handshake working; plugging the CA in and restarting in one step does not', async () => {
    for (const builder of [new CertManagerAdoptionBuilder(), new CertManagerAdoptionBuilder({ vault: true }), new ManualAdoptionBuilder(), new KubernetesCsrAdoptionBuilder()]) {
      const plan = buildAdoption(builder, mkdtempSync(join(tmpdir(), 'ica-drill-')));
      const phases = planFromRotation(plan);
      assert.deepEqual(phases.map((p) => [p.name, p.issueFrom, p.trust.join('+'), p.pcds]),
        [['1-trust-both', 'A', 'A+B', true], ['2-issue-from-enterprise', 'B', 'A+B', true], ['3-drop-self-signed', 'B', 'B', true]]);
      const ttl = plan.cas[1].workloadCertTtl.toMilliseconds();
      const results = await runDrill({ ...base, workloadCertTtlMs: ttl, tickMs: ttl / 24, pcds: true, phases });
      assert.deepEqual(drillVerdict(results), [], `${plan.integration}: ${JSON.stringify(results)}`);
    }
    // The one-step switch: istiod restarts with the enterprise CA while workloads trust only the self-signed root.
    const oneStep = await runDrill({ ...base, pcds: false, phases: [{ name: 'plug-in-and-restart', issueFrom: 'B', trust: ['B'], durationMs: HOUR }] });
    assert.ok(total(oneStep) > 0, JSON.stringify(oneStep));
  });

  it('the naive one-step root swap breaks handshakes', async () => {
    const results = await runDrill({ ...base, pcds: false, phases: naivePlan(HOUR) });
    assert.ok(total(results) > 0, JSON.stringify(results));
  });

  it('dropping the old root before every leaf was re-issued breaks handshakes (the waits matter)', async () => {
    const waits = rotationWaits(HOUR, true);
    const results = await runDrill({ ...base, pcds: true, phases: stagedPlan({ ...waits, afterIssueFromNewMs: HOUR / 24 }, HOUR) });
    assert.equal(results[0].failed + results[1].failed, 0);
    assert.ok(results[2].failed > 0, JSON.stringify(results));
  });

  it('a builder that drops a phase setting, forced past the plan, fails the drill: the drill walks the generated files', async () => {
    const plugin = new PluginCaRotationBuilder();
    const cases: [string, (p: RotationPhase) => RotationPhase, RegExp][] = [
      ['no A+B trust (additionalTrustedRootsPem, multiRoot dropped)', (p) => ({ ...p, additionalTrustedRootsPem: [], multiRoot: false }),
        /^phase 2-issue-from-new: \d+ of \d+ handshakes refused/],
      // istiod keeps signing under A until it restarts for another reason; then A leaves meet peers that trust only B.
      ['no istiod restart (istiodRestartToken dropped)', (p) => ({ ...p, istiodRestartToken: undefined }), /^phase istiod-restarts-later: \d+ of \d+ handshakes refused/],
      ['the issuer never switches (issueFromNew ignored)', (p) => ({ ...p, issueFromNew: false }),
        /after phase 3-drop-old: \d+ workload\(s\) still hold leaves from the old root A/],
    ];
    for (const [label, edit, expected] of cases) {
      const forced = forcedPlan(plugin, edit);
      assert.ok(forced.problems.length > 0, `${label}: RootCaRotation refuses it`);
      const results = await runDrill({ ...base, workloadCertTtlMs: forced.ttl, tickMs: forced.ttl / 24, pcds: true, phases: forced.phases });
      assert.match(drillVerdict(results).join('; '), expected, `${label}: ${JSON.stringify(results)}`);
    }
  });

  it('PCDS takes time: a 1 ms wait after trusting both roots fails; the computed wait does not', async () => {
    const short = await runDrill({ ...base, workloads: 8, pcds: true, phases: stagedPlan({ ...rotationWaits(HOUR, true), afterTrustBothMs: 1 }, HOUR) });
    assert.ok(short[1].failed > 0, JSON.stringify(short));
    const computed = await runDrill({ ...base, workloads: 8, pcds: true, phases: stagedPlan(rotationWaits(HOUR, true), HOUR) });
    assert.equal(total(computed), 0, JSON.stringify(computed));
  });

  it('a phase-2 wait of 0.8 × (1 − ratio) × TTL fails with enough workloads; one lifetime plus jitter passes', async () => {
    const ratio = base.gracePeriodRatio;
    const waits = rotationWaits(HOUR, true);
    const short = await runDrill({ ...base, workloads: 16, pcds: true, phases: stagedPlan({ ...waits, afterIssueFromNewMs: 0.8 * (1 - ratio) * HOUR }, HOUR) });
    assert.ok(short[2].failed > 0, JSON.stringify(short));
    const full = await runDrill({ ...base, workloads: 16, pcds: true, phases: stagedPlan(waits, HOUR) });
    assert.equal(total(full), 0, JSON.stringify(full));
  });

  it('a peer from a foreign trust domain is refused even when its chain is trusted', async () => {
    const results = await runDrill({ ...base, foreignWorkloads: 1, pcds: false, phases: [{ name: 'steady', issueFrom: 'A', trust: ['A'], durationMs: HOUR / 12 }] });
    // the foreign workload and its two ring neighbours: 2 tries as client, 2 as server, per tick
    assert.equal(results[0].failed, 4 * 2, JSON.stringify(results));
    assert.equal(results[0].timeouts, 0);
  });

  it('refuses ticks longer than TTL / 24, and counts timeouts apart from rejections', async () => {
    await assert.rejects(runDrill({ ...base, tickMs: HOUR / 12, pcds: false, phases: naivePlan(HOUR) }), /tickMs \(300000\) must be at most workloadCertTtlMs \/ 24/);
    const results = await runDrill({ ...base, pcds: true, phases: stagedPlan(rotationWaits(HOUR, true), HOUR) });
    assert.deepEqual([total(results), timeouts(results)], [0, 0]);
  });
});

describe('fleet rotation drill (clients in each cluster, servers in every other)', () => {
  const rotation = buildFleetRotation(mkdtempSync(join(tmpdir(), 'ica-fleet-drill-')));
  const clusters = fleetDrillClusters(rotation);
  const ttl = Math.min(...clusters.map((c) => c.workloadCertTtlMs!));
  const fleetBase = { ...base, workloads: 2, workloadCertTtlMs: ttl, tickMs: ttl / 24, pcds: false, clusters };

  it('the plan FleetRootRotation generates for examples/fleet keeps every cross-cluster handshake working through every step', async () => {
    const phases = planFromFleetRotation(rotation);
    assert.deepEqual(phases.map((p) => [p.name, p.clusters.map((c) => `${c.issueFrom}:${c.trust.join('+')}`).join(' ')]), [
      ['1-trust-both', 'A:A+B A:A+B A:A+B'], ['2-1-issue-from-new-east', 'B:A+B A:A+B A:A+B'], ['2-2-issue-from-new-central', 'B:A+B B:A+B A:A+B'],
      ['2-3-issue-from-new-west', 'B:A+B B:A+B B:A+B'], ['3-drop-old', 'B:B B:B B:B'],
    ]);
    const results = await runFleetDrill({ ...fleetBase, phases });
    assert.ok(results.every((r) => r.attempted > 0));
    assert.deepEqual(drillVerdict(results), [], JSON.stringify(results));
  });

  it('moving one cluster to the new root before the others trust it breaks handshakes; after the trust step the same move does not', async () => {
    // east as its generated step-2 files configure it; central and west as before the plan (trust A only).
    const east = planFromFleetRotation(rotation)[1].clusters[0];
    const before = { issueFrom: 'A' as const, trust: ['A' as const] };
    const results = await runFleetDrill({ ...fleetBase, phases: [{ name: 'east-moves-first', durationMs: ttl, clusters: [east, before, before] }] });
    assert.match(drillVerdict(results).join('; '), /^phase east-moves-first: \d+ of \d+ handshakes refused/, JSON.stringify(results));
    // Once the fleet trusts B everywhere, the same move is safe.
    const staged = planFromFleetRotation(rotation).slice(0, 2);
    assert.equal(total(await runFleetDrill({ ...fleetBase, phases: staged })), 0);
  });
});
