import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, it } from 'node:test';
import { Duration } from 'cdk8s';
import { LOAD_TEST_SCRIPT, MeshApp, StrictMtlsMigration, StrictMtlsMigrationProps } from '../src';
import { lintPaths } from '../src/lint/lint';
import { matchSnapshot, ofKind, one, throwsExactly, validateAll } from './support';

const loadTest = { url: 'http://payments.shop.svc.cluster.local:8080/healthz', namespace: 'shop', duration: Duration.minutes(5) };

function plan(props: Partial<StrictMtlsMigrationProps> = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'ica-mig-'));
  const m = new StrictMtlsMigration({ namespaces: ['shop', 'billing'], outdir, loadTest, ...props });
  m.synth();
  return { m, outdir, objs: (i: number) => m.stageApp(i).charts[0].toJson() };
}

/** Runs the load-test script with a fake curl that fails every `failEvery`-th call. */
function runScript(failEvery: number, perMille: number): { status: number | null; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ica-curl-'));
  const counter = join(dir, 'n');
  writeFileSync(counter, '0');
  writeFileSync(join(dir, 'curl'), `#!/bin/sh\ncase "$*" in *quitquitquit*) exit 0;; esac\nn=$(( $(cat ${counter}) + 1 )); echo $n > ${counter}\n` +
    `[ ${failEvery} -gt 0 ] && [ $(( n % ${failEvery} )) -eq 0 ] && exit 7\nexit 0\n`);
  chmodSync(join(dir, 'curl'), 0o755);
  const r = spawnSync('sh', ['-c', LOAD_TEST_SCRIPT], {
    encoding: 'utf8', timeout: 20_000,
    env: { PATH: `${dir}:${process.env.PATH}`, URL: 'http://x', DURATION_SECONDS: '2', MIN_SUCCESS_PER_MILLE: String(perMille) },
  });
  return { status: r.status, stdout: r.stdout };
}

describe('StrictMtlsMigration', () => {
  it('emits PERMISSIVE first, then one more namespace STRICT per stage, each a full output that lints clean', async () => {
    const { m, outdir, objs } = plan();
    assert.deepEqual(m.stages.map((s) => s.folder), ['0-permissive', '1-strict-shop', '2-strict-billing']);
    const modes = (i: number) => Object.fromEntries(ofKind(objs(i), 'PeerAuthentication').map((p) => [p.metadata.namespace, p.spec.mtls.mode]));
    assert.deepEqual(modes(0), { shop: 'PERMISSIVE', billing: 'PERMISSIVE' });
    assert.deepEqual(modes(1), { shop: 'STRICT', billing: 'PERMISSIVE' });
    assert.deepEqual(modes(2), { shop: 'STRICT', billing: 'STRICT' });
    for (let i = 0; i < 3; i++) {
      await validateAll(objs(i));
      assert.deepEqual(lintPaths([join(outdir, m.stages[i].folder)]).findings, []);
    }
    const job = one(objs(1), 'Job');
    assert.equal(job.metadata.namespace, 'shop');
    assert.equal(job.spec.backoffLimit, 0);
    assert.deepEqual(job.spec.template.spec.containers[0].env, [
      { name: 'URL', value: loadTest.url }, { name: 'DURATION_SECONDS', value: '300' }, { name: 'MIN_SUCCESS_PER_MILLE', value: '999' },
    ]);
    matchSnapshot('strict-mtls-migration', objs(1));
    assert.match(readFileSync(join(outdir, 'MIGRATION.md'), 'utf8'), /2\. `1-strict-shop\/`: STRICT in shop/);
  });

  it('the load-test script passes at full success and exits non-zero below the threshold', () => {
    const good = runScript(0, 999);
    assert.equal(good.status, 0, good.stdout);
    assert.match(good.stdout, /requests=\d+ ok=\d+ failed=0/);
    const bad = runScript(2, 999);
    assert.notEqual(bad.status, 0, bad.stdout);
    assert.match(bad.stdout, /failed=[1-9]/);
  });

  it('synth writes each stage exactly as stageApp renders it, without building a stage', () => {
    let built = 0;
    class Counted extends StrictMtlsMigration {
      public stageApp(index: number): MeshApp {
        built++;
        return super.stageApp(index);
      }
    }
    const outdir = mkdtempSync(join(tmpdir(), 'ica-mig-'));
    const m = new Counted({ namespaces: Array.from({ length: 60 }, (_, i) => `team-${i}`), outdir, loadTest });
    assert.equal(built, 2, 'construction builds the first and the last stage');
    m.synth();
    assert.equal(built, 2, 'synth assembles the stages from the two built at construction');
    for (let i = 0; i < m.stages.length; i++) {
      for (const f of m.stageApp(i).renderOutput()) {
        assert.equal(readFileSync(join(outdir, m.stages[i].folder, f.path), 'utf8'), f.content, `${m.stages[i].folder}/${f.path}`);
      }
    }
    throwsExactly(() => m.stageApp(61), 'StrictMtlsMigration: stageApp index (61) must be a whole number from 0 to 60 (one per stage folder)');
  });

  it('synth keeps none of the stages\' files in memory', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // Warm up first: compiling the code paths synth takes keeps a few hundred KB of heap that are not the files.
    new StrictMtlsMigration({ namespaces: ['a', 'b'], outdir: mkdtempSync(join(tmpdir(), 'ica-mig-')), loadTest }).synth();
    // 150 namespaces write about 7 MB (each stage holds every namespace), far above that noise.
    const outdir = mkdtempSync(join(tmpdir(), 'ica-mig-'));
    const m = new StrictMtlsMigration({ namespaces: Array.from({ length: 150 }, (_, i) => `team-${i}`), outdir, loadTest });
    gc();
    const before = process.memoryUsage().heapUsed;
    m.synth();
    gc();
    const kept = process.memoryUsage().heapUsed - before;
    const written = readdirSync(outdir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile()).reduce((sum, e) => sum + statSync(join(e.parentPath, e.name)).size, 0);
    assert.ok(written > 5_000_000, `the plan is large enough to measure: ${written} bytes`);
    // Holding the stages' files (as building all at once did) keeps at least their size.
    assert.ok(kept < written / 4, `synth kept ${kept} bytes of heap; the stages' files total ${written}`);
  });

  it('writes nothing when a stage fails while the plan is written', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'ica-mig-'));
    class FailsLate extends StrictMtlsMigration {
      public renderPlan(): string {
        throw new Error('stage 2 broke');
      }
    }
    const m = new FailsLate({ namespaces: ['shop', 'billing'], outdir });
    // An empty folder that was there before (yours, where a stage writes) stays; the folders this run made go.
    mkdirSync(join(outdir, '1-strict-shop', 'manifests'), { recursive: true });
    assert.throws(() => m.synth(), /stage 2 broke/);
    assert.deepEqual(readdirSync(join(outdir, '1-strict-shop', 'manifests')), []);
    assert.equal(existsSync(join(outdir, '0-permissive')), false);
    assert.equal(existsSync(join(outdir, 'MIGRATION.md')), false);
  });

  it('uses v1beta1 before Istio 1.22', () => {
    const { objs } = plan({ istioVersion: '1.21', loadTest: undefined });
    assert.ok(ofKind(objs(2), 'PeerAuthentication').every((p) => p.apiVersion === 'security.istio.io/v1beta1'));
  });

  describe('validation', () => {
    it('refuses the root namespace, duplicates and an empty list', () => {
      throwsExactly(() => new StrictMtlsMigration({ namespaces: ['istio-system'] }),
        "StrictMtlsMigration: 'namespaces' lists the root namespace (istio-system), where a namespace-wide policy is mesh-wide; migrate workload namespaces only");
      throwsExactly(() => new StrictMtlsMigration({ namespaces: ['a', 'a'] }), "StrictMtlsMigration: 'namespaces' lists a twice; give each namespace once");
      throwsExactly(() => new StrictMtlsMigration({ namespaces: [] }), "StrictMtlsMigration: 'namespaces' ([]) is empty; list the namespaces to move to STRICT, in order");
    });
    it('refuses a bad load test', () => {
      throwsExactly(() => new StrictMtlsMigration({ namespaces: ['a'], loadTest: { ...loadTest, url: 'payments' } }),
        "StrictMtlsMigration: 'loadTest.url' (payments) must be an http:// or https:// URL");
      throwsExactly(() => new StrictMtlsMigration({ namespaces: ['a'], loadTest: { ...loadTest, minSuccessRatio: 1.5 } }),
        "StrictMtlsMigration: 'loadTest.minSuccessRatio' (1.5) must be from 0.9 to 1: a lower bar lets a STRICT cut-over that breaks every tenth request pass the gate");
      throwsExactly(() => new StrictMtlsMigration({ namespaces: ['a'], loadTest: { ...loadTest, duration: Duration.seconds(5) } }),
        "StrictMtlsMigration: 'loadTest.duration' (5s) must be at least 10s (a shorter run proves nothing)");
    });
  });
});
