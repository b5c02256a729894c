import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_JITTER, rotationWaits } from '../src/model/rotation';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDefaultRotation } from '../examples/default/rotation';
import { RootCaRotation } from '../src';
import { FIXTURES } from '../test/pki-fixtures';
import { IstioCsrRotationBuilder, KubernetesCsrRotationBuilder, ManualPluginCaRotationBuilder } from './rotation-builders';
import { naivePlan, planFromRotation, runDrill, stagedPlan } from './drill';

const HOUR = 3_600_000;
const base = { workloads: 4, workloadCertTtlMs: HOUR, gracePeriodRatio: 0.5, jitter: DEFAULT_JITTER, tickMs: HOUR / 24, realTimeLimitMs: 60_000 };
const total = (rs: { failed: number }[]) => rs.reduce((n, r) => n + r.failed, 0);

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
    assert.equal(total(results), 0, JSON.stringify(results));
  });

  it('the RootCaRotation plans for istio-csr, Kubernetes CSR and the manual plug-in CA keep every handshake working', async () => {
    for (const builder of [new IstioCsrRotationBuilder(), new KubernetesCsrRotationBuilder(), new ManualPluginCaRotationBuilder()]) {
      const rotation = new RootCaRotation({ currentRootPem: FIXTURES.rootA, newRootPem: FIXTURES.rootB, builder, outdir: mkdtempSync(join(tmpdir(), 'ica-drill-')) });
      const ttl = rotation.cas[0].workloadCertTtl.toMilliseconds();
      const pcds = rotation.phases[0].multiRoot;
      const results = await runDrill({ ...base, workloadCertTtlMs: ttl, tickMs: ttl / 24, pcds, phases: planFromRotation(rotation) });
      assert.equal(total(results), 0, `${rotation.integration}: ${JSON.stringify(results)}`);
    }
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
});
