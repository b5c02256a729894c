import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ApiObject, Chart } from 'cdk8s';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { FleetRootRotation, IRotationPhaseBuilder, OUTPUT_RECORD, RotationPhase } from '../src';
import { lintPaths } from '../src/lint/lint';
import { fleetRotationSteps, fleetStepProblems, FleetClusterState } from '../src/model/fleet-rotation';
import { normalisePem } from '../src/model/pem';
import { buildFleetRotation, IstioCsrClusterBuilder, PluginCaClusterBuilder } from '../examples/fleet/rotation';
import { chartDir, helmTemplate } from './engines';
import { scanOutput } from './output-scan';
import { FIXTURES } from './pki-fixtures';
import { throwsExactly, validateAll } from './support';

const A = normalisePem(FIXTURES.rootA);
const B = normalisePem(FIXTURES.rootB);
const HOUR = 3_600_000;

const state = (name: string, issueFrom: string, ...trust: string[]): FleetClusterState => ({ name, issueFrom, trust });

describe('fleet root rotation model', () => {
  it('steps: trust both everywhere, one move per cluster in order (folders sort), drop A everywhere', () => {
    assert.deepEqual(fleetRotationSteps(['east', 'west']).map((s) => [s.folder, s.phases.join(''), s.moves]),
      [['1-trust-both', '11', undefined], ['2-1-issue-from-new-east', '21', 0], ['2-2-issue-from-new-west', '22', 1], ['3-drop-old', '33', undefined]]);
    const ten = fleetRotationSteps(Array.from({ length: 10 }, (_, i) => `c${i}`)).map((s) => s.folder);
    assert.deepEqual([ten[1], ten[10]], ['2-01-issue-from-new-c0', '2-10-issue-from-new-c9']);
    assert.deepEqual([...ten].sort(), ten, 'folders sort in the order of the steps');
  });

  it('the staged states keep every cluster trusting every issuing root; a premature move and an early drop are reported', () => {
    const before = [state('east', 'A', 'A'), state('west', 'A', 'A')];
    const staged = [
      { folder: '1-trust-both', clusters: [state('east', 'A', 'A', 'B'), state('west', 'A', 'A', 'B')] },
      { folder: '2-1-east', clusters: [state('east', 'B', 'A', 'B'), state('west', 'A', 'A', 'B')] },
      { folder: '2-2-west', clusters: [state('east', 'B', 'A', 'B'), state('west', 'B', 'A', 'B')] },
      { folder: '3-drop-old', clusters: [state('east', 'B', 'B'), state('west', 'B', 'B')] },
    ];
    assert.deepEqual(fleetStepProblems(before, staged), []);
    // east moves while west still trusts only A.
    assert.deepEqual(fleetStepProblems(before, [{ folder: 'east-first', clusters: [state('east', 'B', 'A', 'B'), state('west', 'A', 'A')] }]), [
      "step east-first: cluster 'east' does not trust root B throughout the step, but its own workloads hold leaves from it: its workloads refuse them. " +
        'Every cluster must trust a root before any cluster issues from it, and keep it until no cluster issues from it',
      "step east-first: cluster 'west' does not trust root B throughout the step, but cluster 'east''s workloads hold leaves from it: 'west''s workloads refuse them. " +
        'Every cluster must trust a root before any cluster issues from it, and keep it until no cluster issues from it',
    ]);
    // east drops A while west still issues from it.
    const early = [staged[0], staged[1], { folder: 'east-drops', clusters: [state('east', 'B', 'B'), state('west', 'A', 'A', 'B')] }];
    assert.deepEqual(fleetStepProblems(before, early).map((p) => p.slice(0, 110)), [
      "step east-drops: cluster 'east' does not trust root A throughout the step, but cluster 'west''s workloads hold",
    ]);
  });
});

describe('FleetRootRotation (examples/fleet/rotation.ts: plug-in CA, manual plug-in CA, istio-csr)', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'ica-fleet-rot-'));
  const rotation = buildFleetRotation(outdir);
  rotation.synth();
  const read = (p: string) => readFileSync(join(outdir, p), 'utf8');

  it('writes one folder per step, each with every cluster\'s whole output in that step, recorded as its own context', () => {
    const folders = ['1-trust-both', '2-1-issue-from-new-east', '2-2-issue-from-new-central', '2-3-issue-from-new-west', '3-drop-old'];
    assert.deepEqual(readdirSync(outdir).filter((f) => !f.startsWith('.')).sort(), [...folders, 'ROTATION.md']);
    assert.deepEqual(rotation.steps.map((s) => [s.folder, s.clusters.map((c) => c.phase).join(''), s.changes.join(','), s.moves]), [
      [folders[0], '111', 'east,central,west', undefined], [folders[1], '211', 'east', 'east'], [folders[2], '221', 'central', 'central'],
      [folders[3], '222', 'west', 'west'], [folders[4], '333', 'east,central,west', undefined],
    ]);
    for (const s of rotation.steps) {
      s.clusters.forEach((c, i) => {
        const own = rotation.clusters[i].apps[c.phase - 1].renderOutput();
        for (const f of own) assert.equal(read(`${s.folder}/clusters/${c.name}/${f.path}`), f.content, `${s.folder}/clusters/${c.name}/${f.path}`);
        assert.deepEqual(JSON.parse(read(`${s.folder}/clusters/${c.name}/${OUTPUT_RECORD}`)).files, own.map((f) => f.path).sort());
      });
    }
  });

  it('waits: after trusting both, the slowest cluster (istio-csr: one lifetime); after each move, that cluster\'s lifetime plus jitter', () => {
    const lifetime = Math.ceil(24 * HOUR * 1.01);
    assert.deepEqual(rotation.steps.map((s) => [s.minWaitAfterMs, s.waitFromLastWorkloadRestart]),
      [[lifetime, true], [lifetime, false], [lifetime, false], [lifetime, false], [0, false]]);
    const md = read('ROTATION.md');
    assert.match(md, /\| 2 \| `2-1-issue-from-new-east\/` \| east \| 24h14m24s \|/);
    assert.match(md, /Wait at least 24h14m24s: every workload certificate in `east` chains to the new root\./);
  });

  it('the real istiod chart reads each plug-in cluster\'s trust and cluster ID in every step (A+B with multi-root, then none beside cacerts)', () => {
    for (const s of rotation.steps) {
      for (const c of s.clusters.filter((x) => x.name !== 'west')) {
        const objs = helmTemplate(chartDir('1.30.3', 'istiod'), parseYaml(read(`${s.folder}/clusters/${c.name}/install/istiod-values.yaml`)), 'istio-system', 'istiod');
        const env = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'istiod').spec.template.spec.containers[0].env;
        const mesh = parseYaml(objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'istio').data.mesh);
        const where = `${s.folder} ${c.name}`;
        assert.deepEqual(env.filter((e: any) => e.name === 'CLUSTER_ID').map((e: any) => e.value), [c.name], where);
        assert.deepEqual((mesh.caCertificates ?? []).map((x: any) => normalisePem(x.pem)), c.phase === 3 ? [] : [A, B], where);
        // Multi-root stays on: turning it off would be one more istiod change in the last step.
        assert.deepEqual(env.filter((e: any) => e.name === 'ISTIO_MULTIROOT_MESH').map((e: any) => e.value), ['true'], where);
      }
    }
  });

  it('west (istio-csr): the pinned bundle holds A+B until the last step, then B; the issuer moves in its own step', async () => {
    for (const s of rotation.steps) {
      const docs = parseAllDocuments(read(`${s.folder}/clusters/west/manifests/istio-custom-ca.k8s.yaml`)).map((d) => d.toJS());
      await validateAll(docs);
      const bundle = docs.find((d) => d.kind === 'Bundle');
      const phase = s.clusters[2].phase;
      assert.deepEqual(bundle.spec.sources.map((x: any) => normalisePem(x.inLine)), phase === 3 ? [B] : [A, B], s.folder);
      const values = parseYaml(read(`${s.folder}/clusters/west/install/istio-csr-values.yaml`));
      assert.equal(values.app.certmanager.issuer.name, phase === 1 ? 'istio-ca-a' : 'istio-ca-b', s.folder);
    }
  });

  it('preconditions.json per step: per cluster the roots to trust and chain to (the state the previous step left)', () => {
    const pre = JSON.parse(read('2-2-issue-from-new-central/preconditions.json'));
    assert.equal(pre.schema, 'istio-custom-ca.io/fleet-step-preconditions/v1');
    assert.deepEqual(pre.notBefore, { afterPhase: '2-1-issue-from-new-east', minWaitSeconds: 87264, minWait: '24h14m24s', fromLastWorkloadRestart: false });
    assert.deepEqual(pre.clusters.map((c: any) => [c.name, c.everyWorkloadTrusts.map((r: any) => r.role).join('+'), c.everyWorkloadCertificateChainsTo.role]),
      [['east', 'current+new', 'new'], ['central', 'current+new', 'current'], ['west', 'current+new', 'current']]);
    assert.ok(pre.clusters[2].silentAlerts.includes('IstioCsrServingCertFailures'));
    const first = JSON.parse(read('1-trust-both/preconditions.json'));
    assert.deepEqual(first.clusters.map((c: any) => c.everyWorkloadTrusts.map((r: any) => r.role).join('+')), ['current', 'current', 'current']);
  });

  it('lints clean per cluster of every step and as a whole; holds no secret', () => {
    for (const s of rotation.steps) for (const c of s.clusters) assert.deepEqual(lintPaths([join(outdir, s.folder, 'clusters', c.name)]).findings, [], `${s.folder}/${c.name}`);
    assert.deepEqual(lintPaths([outdir]).findings, []);
    assert.deepEqual(scanOutput(outdir), []);
  });

  it('synth renders the phase apps again: what you add to a cluster\'s app after construction lands in every step that uses it', () => {
    const out = mkdtempSync(join(tmpdir(), 'ica-fleet-rot-'));
    const r = buildFleetRotation(out);
    const extra = new Chart(r.clusters[1].apps[0], 'team-extras');
    new ApiObject(extra, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'note', namespace: 'istio-system' } });
    r.synth();
    const has = (step: string) => existsSync(join(out, step, 'clusters', 'central', 'manifests', 'team-extras.k8s.yaml'));
    // central is in phase 1 in the first two steps only.
    assert.deepEqual(r.steps.map((s) => has(s.folder)), [true, true, false, false, false]);
  });

  it('refuses a single cluster, a repeated or bad name, and a builder that breaks its cluster\'s phase (naming the cluster)', () => {
    const east = { name: 'east', builder: new PluginCaClusterBuilder('east', 'a') };
    const make = (clusters: { name: string; builder: IRotationPhaseBuilder }[]) => () =>
      new FleetRootRotation({ currentRootPem: A, newRootPem: B, clusters, outdir: mkdtempSync(join(tmpdir(), 'ica-fleet-rot-')) });
    throwsExactly(make([east]), "FleetRootRotation: 'clusters' (1 cluster(s)) must list at least two clusters; for one cluster use RootCaRotation");
    throwsExactly(make([east, east]), "FleetRootRotation: 'clusters[1].name' (east) names an earlier cluster; each cluster appears once");
    throwsExactly(make([east, { name: 'West', builder: east.builder }]), "FleetRootRotation: 'clusters[1].name' (West) must be 1-40 lowercase letters, " +
      "digits and '-', starting and ending with a letter or digit: it names the cluster (CLUSTER_ID), its output folder, its Argo CD cluster and its Vault auth mount");
    // Bundles that share a root: A+B now, B+A next (found by the property test).
    throwsExactly(() => new FleetRootRotation({ currentRootPem: A + B, newRootPem: B + A, clusters: [east, { name: 'west', builder: east.builder }] }),
      "FleetRootRotation: 'newRootPem' and 'currentRootPem' share 2 certificate(s) (CN=Fixture Root B); give the roots in use now as the current root " +
      'and only roots not yet in use as the new one');
    const inner = new IstioCsrClusterBuilder('west', 'b');
    const noB: IRotationPhaseBuilder = { integration: inner.integration, buildPhase: (app, p: RotationPhase) => inner.buildPhase(app, { ...p, trustedRootsPem: [A] }) };
    assert.throws(make([east, { name: 'west', builder: noB }]),
      /^Error: FleetRootRotation: cluster 'west': the builder's output breaks the plan: phase 1-trust-both \(manifests\/ \(trust-manager Bundle\)\) trusts A, not A and B/);
    assert.ok(!existsSync(join(outdir, 'west')));
  });
});
