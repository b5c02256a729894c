import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { lintPaths } from '../../src/lint/lint';
import { chartDir, helmTemplate, nearestChart } from '../../test/engines';
import { scanOutput } from '../../test/output-scan';
import { matchSnapshot, validateAll, validateIstioCsrValues } from '../../test/support';
import { buildFleet, fleetProps } from './fleet';
import { buildVaultFleetRotation } from './vault-rotation';

const NS = 'istio-system';

function one(objs: any[], kind: string, name: string): any {
  const found = objs.filter((o) => o.kind === kind && o.metadata?.name === name);
  assert.equal(found.length, 1, `one ${kind} ${name} in the render`);
  return found[0];
}

/** What the real istiod chart makes of a cluster's values: CLUSTER_ID, the injector's values, the mesh config. */
function istiodReads(values: any, version: string) {
  const objs = helmTemplate(chartDir(nearestChart(version), 'istiod'), values, NS, 'istiod');
  const env = one(objs, 'Deployment', 'istiod').spec.template.spec.containers.find((c: any) => c.name === 'discovery').env;
  const injector = JSON.parse(one(objs, 'ConfigMap', 'istio-sidecar-injector').data.values);
  const mesh = parseYaml(one(objs, 'ConfigMap', 'istio').data.mesh);
  return { clusterId: env.filter((e: any) => e.name === 'CLUSTER_ID').map((e: any) => e.value), global: injector.global, mesh };
}

describe('examples/fleet (three clusters on one Vault root, plug-in CA and istio-csr mixed)', () => {
  const out = mkdtempSync(join(tmpdir(), 'ica-fleet-'));
  const fleet = buildFleet(out);
  fleet.synth();
  const props = fleetProps();
  const read = (p: string) => readFileSync(join(out, p), 'utf8');

  it('each cluster folder is one MeshApp output: schema-valid manifests, no secret anywhere', async () => {
    assert.deepEqual(readdirSync(join(out, 'clusters')).sort(), ['central', 'east', 'west']);
    for (const c of fleet.clusters) await validateAll(parseAllDocuments(read(`clusters/${c.name}/manifests/istio-custom-ca.k8s.yaml`)).map((d) => d.toJS()));
    assert.deepEqual(scanOutput(out), []);
  });

  for (const c of props.clusters) {
    it(`${c.name}: the real istiod chart (${nearestChart(c.istioVersion ?? '1.30')}) reads its cluster ID, network, mesh ID and trust domain, by both install routes`, () => {
      const helm = istiodReads(parseYaml(read(`clusters/${c.name}/install/istiod-values.yaml`)), c.istioVersion ?? '1.30');
      const iop: any = parseYaml(read(`clusters/${c.name}/install/istio-operator.yaml`));
      const op = istiodReads({ ...iop.spec.values, meshConfig: iop.spec.meshConfig }, c.istioVersion ?? '1.30');
      for (const [route, r] of [['Helm', helm], ['IstioOperator', op]] as const) {
        assert.deepEqual(r.clusterId, [c.name], `${route}: istiod CLUSTER_ID`);
        assert.equal(r.global.multiCluster.clusterName, c.name, `${route}: injected sidecars' cluster`);
        assert.equal(r.global.network, c.network, `${route}: injected sidecars' network (ISTIO_META_NETWORK)`);
        assert.equal(r.global.meshID, 'mesh-fleet', `${route}: mesh ID`);
        assert.equal(r.mesh.trustDomain, 'mesh.example.com', `${route}: trust domain`);
      }
    });
  }

  it("west (istio-csr): the real istio-csr chart announces the same cluster ID and trust domain, and sidecars call istio-csr", () => {
    const values = parseYaml(read('clusters/west/install/istio-csr-values.yaml'));
    validateIstioCsrValues(values);
    const deploy = one(helmTemplate(chartDir('v0.17.0', 'istio-csr'), values, 'cert-manager', 'cert-manager-istio-csr'), 'Deployment', 'cert-manager-istio-csr');
    const args: string[] = deploy.spec.template.spec.containers[0].args;
    for (const a of ['--cluster-id=west', '--trust-domain=mesh.example.com', '--max-client-certificate-duration=24h']) assert.deepEqual(args.filter((x) => x === a), [a]);
    const { global } = istiodReads(parseYaml(read('clusters/west/install/istiod-values.yaml')), '1.30');
    assert.equal(global.caAddress, 'cert-manager-istio-csr.cert-manager.svc:443');
  });

  it('every cluster\'s alerts pass promtool (check and unit tests)', () => {
    for (const c of fleet.clusters) {
      for (const [cmd, file] of [['check', 'rules.yaml'], ['test', 'test.yaml']]) {
        const r = spawnSync('promtool', [cmd, 'rules', join(out, `clusters/${c.name}/alerts/istio-custom-ca-certificates.${file}`)], { encoding: 'utf8' });
        assert.equal(r.status, 0, `promtool ${cmd} ${c.name}: ${r.error?.message ?? ''}${r.stdout}${r.stderr}`);
      }
    }
  });

  it('lints clean per cluster and as a whole (each cluster folder is its own context)', () => {
    for (const c of fleet.clusters) assert.deepEqual(lintPaths([join(out, 'clusters', c.name)]).findings, [], c.name);
    const whole = lintPaths([out]);
    assert.deepEqual(whole.findings, []);
    assert.ok(whole.documents >= 40, `the whole fleet was read (${whole.documents} documents)`);
  });

  it('the ApplicationSet generates one Application per cluster folder, syncing its manifests to the cluster of that name', () => {
    const set: any = parseYaml(read('argocd/applicationset.yaml'));
    const dirs = set.spec.generators[0].git.directories.map((d: any) => d.path);
    assert.deepEqual(dirs, ['dist-fleet/clusters/*']);
    assert.equal(set.spec.template.spec.source.path, '{{.path.path}}/manifests');
    assert.equal(set.spec.template.spec.destination.name, '{{.path.basename}}');
    assert.equal(set.spec.template.spec.syncPolicy, undefined, 'no automated sync of a CA change');
    matchSnapshot('NOTES', read('NOTES.md'), join(__dirname, '__snapshots__'));
    matchSnapshot('applicationset', read('argocd/applicationset.yaml'), join(__dirname, '__snapshots__'));
  });
});

describe('examples/fleet/vault-rotation.ts (the Vault fleet\'s root rotation)', () => {
  it('plans step 0 and the five cluster steps, each with the fleet\'s Terraform, and lints clean', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'ica-fleet-vault-rot-'));
    const plan = buildVaultFleetRotation(outdir);
    plan.synth();
    assert.deepEqual(readdirSync(outdir).filter((f) => !f.startsWith('.')).sort(), ['0-add-next-root', '1-trust-both', '2-1-issue-from-new-east',
      '2-2-issue-from-new-central', '2-3-issue-from-new-west', '3-drop-old', 'ROTATION.md']);
    for (const step of readdirSync(outdir).filter((f) => /^\d/.test(f))) assert.ok(readdirSync(join(outdir, step)).includes('terraform'), step);
    assert.deepEqual(lintPaths([outdir]).findings, []);
  });
});
