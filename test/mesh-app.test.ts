import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { MeshApp } from '../src';
import { buildDefaultMesh } from '../examples/default/mesh';
import { filesBelow, scanOutput } from './output-scan';

function synthDefault(outdir: string): string[] {
  const app = new MeshApp({ outdir });
  buildDefaultMesh(app);
  app.synth();
  return filesBelow(outdir).map((f) => relative(outdir, f));
}

describe('MeshApp output', () => {
  it('keeps manifests, install config, alerts and Terraform in separate folders', () => {
    const out = mkdtempSync(join(tmpdir(), 'ica-'));
    assert.deepEqual(synthDefault(out), [
      'alerts/istio-custom-ca-certificates.rules.yaml',
      'alerts/istio-custom-ca-certificates.test.yaml',
      'install/NOTES.md',
      'install/istio-operator.yaml',
      'install/istiod-values.yaml',
      'manifests/istio-custom-ca.k8s.yaml',
      'terraform/istio-custom-ca/.gitignore',
      'terraform/istio-custom-ca/cdk.tf.json',
    ]);
    const kinds = parseAllDocuments(readFileSync(join(out, 'manifests/istio-custom-ca.k8s.yaml'), 'utf8')).map((d) => d.toJS().kind);
    assert.ok(!kinds.includes('IstioOperator'), 'the IstioOperator must never sit among the manifests');
    assert.deepEqual(parseAllDocuments(readFileSync(join(out, 'install/istio-operator.yaml'), 'utf8')).map((d) => d.toJS().kind), ['IstioOperator']);
  });

  it('is deterministic: a second synth is byte-identical', () => {
    const a = mkdtempSync(join(tmpdir(), 'ica-a-'));
    const b = mkdtempSync(join(tmpdir(), 'ica-b-'));
    const files = synthDefault(a);
    assert.deepEqual(synthDefault(b), files);
    for (const f of files) assert.equal(readFileSync(join(b, f), 'utf8'), readFileSync(join(a, f), 'utf8'), f);
  });

  it('replaces stale output of earlier runs', () => {
    const out = mkdtempSync(join(tmpdir(), 'ica-'));
    mkdirSync(join(out, 'manifests'), { recursive: true });
    writeFileSync(join(out, 'manifests', 'old-chart.k8s.yaml'), 'stale');
    assert.ok(!synthDefault(out).includes('manifests/old-chart.k8s.yaml'));
  });

  it('takes its folder from CDK8S_OUTDIR, as `cdk8s synth` sets it', () => {
    const saved = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = '/tmp/from-cdk8s-cli';
    try {
      const app = new MeshApp();
      assert.equal(app.rootOutdir, '/tmp/from-cdk8s-cli');
      assert.equal(app.outdir, '/tmp/from-cdk8s-cli/manifests');
    } finally {
      if (saved === undefined) delete process.env.CDK8S_OUTDIR; else process.env.CDK8S_OUTDIR = saved;
    }
  });

  it('writes no install folder when nothing produces install config', () => {
    const out = mkdtempSync(join(tmpdir(), 'ica-'));
    const app = new MeshApp({ outdir: out });
    new Chart(app, 'empty');
    app.synth();
    assert.deepEqual(filesBelow(out).map((f) => relative(out, f)), ['manifests/empty.k8s.yaml']);
  });

  it('output holds no secret and none of the known-wrong settings', () => {
    const out = mkdtempSync(join(tmpdir(), 'ica-'));
    synthDefault(out);
    assert.deepEqual(scanOutput(out), []);
  });

  it('the scan finds what it looks for', () => {
    const out = mkdtempSync(join(tmpdir(), 'ica-'));
    writeFileSync(join(out, 'bad.yaml'), [
      'key: "-----BEGIN PRIVATE KEY-----"', 'env:', '  CITADEL_ENABLE_CA_SERVER: "false"', '  VAULT_ADDR: x',
      'meshConfig:', '  ca:', '    address: kubernetes.default:443', 'token: ${TfToken[TOKEN.3]}',
    ].join('\n'));
    assert.deepEqual(scanOutput(out).map((f) => f.split(': ').slice(1).join(': ')), [
      'a PEM private key', 'an unresolved cdktf token', 'ICA002 citadel-enable-ca-server', 'ICA006 vault-env-on-istiod', 'ICA001 mesh-config-ca',
    ]);
  });
});
