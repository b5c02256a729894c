import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { App, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { CaIntegration, CertAlertRules, CertManagerIssuer, IssuerSource, IstioCustomCa, MeshApp, OutputFile, OutputFolder, PermissivePeerAuth, VaultAuth } from '../src';
import { MeshPki, VaultPkiRoute } from '../src/vault';
import { buildDefaultMesh } from '../examples/default/mesh';
import { newestLtsNode, NEWEST_LTS_NODE } from './engines';
import { filesBelow, scanOutput } from './output-scan';

function synthDefault(outdir: string): string[] {
  const app = new MeshApp({ outdir });
  buildDefaultMesh(app);
  app.synth();
  return filesBelow(outdir).map((f) => relative(outdir, f));
}

describe('under a plain cdk8s App', () => {
  const plain = () => {
    const out = mkdtempSync(join(tmpdir(), 'ica-plain-'));
    const app = new App({ outdir: out });
    return { out, app, chart: new Chart(app, 'mesh') };
  };

  it('refuses to synthesize constructs whose install or alert files only MeshApp writes, writing nothing', () => {
    const { out, app, chart } = plain();
    const ca = new IstioCustomCa(chart, 'istio-ca', { integration: CaIntegration.manualPluginCa() });
    new CertAlertRules(chart, 'alerts', { ca });
    assert.throws(() => app.synth(), (e: Error) => {
      assert.match(e.message, /install\/istio-operator\.yaml \(from mesh\/istio-ca\) is written only by MeshApp, but this app is a plain cdk8s App/);
      assert.match(e.message, /alerts\/istio-custom-ca-certificates\.rules\.yaml \(from mesh\/alerts\) is written only by MeshApp/);
      assert.match(e.message, /create the charts under `new MeshApp\(\)`/);
      return true;
    });
    assert.deepEqual(filesBelow(out), []);
  });

  it('synthesizes constructs that are only manifests', () => {
    const { out, app, chart } = plain();
    new PermissivePeerAuth(chart, 'legacy', { namespace: 'apps', selector: { app: 'legacy' } });
    app.synth();
    assert.deepEqual(filesBelow(out).map((f) => relative(out, f)), ['mesh.k8s.yaml']);
  });
});

describe('MeshApp output', () => {
  it('keeps manifests, install config, alerts and Terraform in separate folders', () => {
    const out = mkdtempSync(join(tmpdir(), 'ica-'));
    assert.deepEqual(synthDefault(out), [
      '.istio-custom-ca-files.json',
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

  it('is deterministic across processes, time zones, locales, working directories and the newest Node.js LTS (npm run synth in a child)', () => {
    const root = resolve(__dirname, '..');
    const loader = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const run = (env: Record<string, string>, cwd: string, node = process.execPath): Map<string, string> => {
      const out = mkdtempSync(join(tmpdir(), 'ica-det-'));
      execFileSync(node, ['--import', loader, join(root, 'examples', 'default', 'main.ts')], {
        cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CDK8S_OUTDIR: join(out, 'dist'), ...env }, stdio: 'pipe',
      });
      return new Map(filesBelow(out).map((f) => [relative(out, f), readFileSync(f, 'utf8')]));
    };
    const a = run({ TZ: 'UTC', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' }, root);
    const b = run({ TZ: 'Pacific/Chatham', LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' }, mkdtempSync(join(tmpdir(), 'ica-cwd-')));
    assert.ok(a.size > 10, `only ${a.size} files`);
    assert.deepEqual([...b.keys()], [...a.keys()]);
    for (const [f, text] of a) assert.equal(b.get(f), text, f);
    // The newest Node.js LTS (a registry package, linux x64) writes the same bytes.
    const lts = newestLtsNode();
    if (lts) {
      assert.match(execFileSync(lts, ['--version'], { encoding: 'utf8' }), new RegExp(`^v${NEWEST_LTS_NODE.replace(/\./g, '\\.')}`));
      const c = run({ TZ: 'Asia/Kathmandu', LANG: 'C.UTF-8' }, root, lts);
      assert.deepEqual([...c.keys()], [...a.keys()]);
      for (const [f, text] of a) assert.equal(c.get(f), text, `${f} under Node ${NEWEST_LTS_NODE}`);
    }
  });

  it('removes stale files it wrote itself, and nothing else: Terraform state, lock files and your files stay', () => {
    const out = mkdtempSync(join(tmpdir(), 'ica-'));
    // A file the library wrote earlier (recorded), a file of yours, and Terraform's own files next to the JSON.
    mkdirSync(join(out, 'manifests'), { recursive: true });
    writeFileSync(join(out, 'manifests', 'old-chart.k8s.yaml'), 'stale');
    writeFileSync(join(out, '.istio-custom-ca-files.json'), JSON.stringify({ files: ['manifests/old-chart.k8s.yaml'] }));
    writeFileSync(join(out, 'manifests', 'kustomization.yaml'), 'resources: []\n');
    synthDefault(out);
    const tf = join(out, 'terraform', 'istio-custom-ca');
    writeFileSync(join(tf, 'terraform.tfstate'), '{"version": 4}');
    writeFileSync(join(tf, '.terraform.lock.hcl'), '# lock');
    const files = synthDefault(out);
    assert.ok(!files.includes('manifests/old-chart.k8s.yaml'), 'a recorded stale file is removed');
    for (const kept of ['manifests/kustomization.yaml', 'terraform/istio-custom-ca/terraform.tfstate', 'terraform/istio-custom-ca/.terraform.lock.hcl']) {
      assert.ok(files.includes(kept), `${kept} must survive synth`);
    }
    assert.equal(readFileSync(join(tf, 'terraform.tfstate'), 'utf8'), '{"version": 4}');
  });

  it('is atomic: when any file fails to render, nothing is written or removed', () => {
    const out = mkdtempSync(join(tmpdir(), 'ica-'));
    synthDefault(out);
    const before = filesBelow(out).map((f) => [relative(out, f), readFileSync(f, 'utf8')]);
    const app = new MeshApp({ outdir: out });
    buildDefaultMesh(app);
    new OutputFile(new Chart(app, 'broken'), 'Bad', OutputFolder.INSTALL, 'zz-broken.yaml', 'x', { produce: () => { throw new Error('render failed'); } });
    assert.throws(() => app.synth(), /render failed/);
    assert.deepEqual(filesBelow(out).map((f) => [relative(out, f), readFileSync(f, 'utf8')]), before);
  });

  it('never lets a construct id or file name escape the output folder', () => {
    const app = new MeshApp({ outdir: mkdtempSync(join(tmpdir(), 'ica-')) });
    for (const name of ['../escape.yaml', 'a/../../b.yaml', 'nul\0.yaml', `${'x'.repeat(256)}.yaml`, '/etc/passwd']) {
      assert.throws(() => new OutputFile(new Chart(app, `c${name.length}${name.charCodeAt(0)}`), 'F', OutputFolder.INSTALL, name, 'x', { produce: () => ({}) }),
        /^Error: OutputFile: output path .* (must be a relative path|has segment)/, name);
    }
    assert.throws(() => new MeshPki(new MeshApp({ outdir: '/tmp/unused' }), '../../etc', {
      route: VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD, vaultAddress: 'https://vault.example.com', kubernetesHost: 'https://k8s.example.com',
    }), /^Error: MeshPki: id \("\.\.\/\.\.\/etc"\) names the folder terraform\/<id>\//);
  });

  it('refuses two Vault issuers in two charts sharing one ServiceAccount (two ServiceAccount objects of one name); one chart writes it once', () => {
    const app = new MeshApp({ outdir: '/tmp/unused' });
    const vault = () => IssuerSource.vault({ server: 'https://vault.example.com', path: 'pki/root/sign-intermediate',
      auth: VaultAuth.kubernetes({ role: 'r', serviceAccountName: 'vault-issuer' }) });
    new CertManagerIssuer(new Chart(app, 'mesh'), 'a', { source: vault() });
    new CertManagerIssuer(new Chart(app, 'other'), 'b', { source: vault() });
    assert.throws(() => app.renderOutput(), /^Error: MeshApp: ServiceAccount istio-system\/vault-issuer \(core\) is defined twice, by mesh\/a\/VaultServiceAccount and other\/b\/VaultServiceAccount/);
    const one = new MeshApp({ outdir: '/tmp/unused' });
    const c = new Chart(one, 'mesh');
    new CertManagerIssuer(c, 'a', { source: vault() });
    new CertManagerIssuer(c, 'b', { source: vault() });
    assert.equal(c.toJson().filter((o: any) => o.kind === 'ServiceAccount').length, 1);
    one.renderOutput();
  });

  it('refuses two objects with the same group, kind, namespace and name, naming both constructs', () => {
    const app = new MeshApp({ outdir: '/tmp/unused' });
    const c = new Chart(app, 'mesh');
    new PermissivePeerAuth(c, 'a', { namespace: 'shop', namespaceWide: true, reason: 'r' });
    new PermissivePeerAuth(c, 'b', { namespace: 'shop', namespaceWide: true, reason: 'r' });
    assert.throws(() => app.renderOutput(), /^Error: MeshApp: PeerAuthentication shop\/default \(security\.istio\.io\) is defined twice, by mesh\/a\/Resource and mesh\/b\/Resource/);
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
    assert.deepEqual(filesBelow(out).map((f) => relative(out, f)), ['.istio-custom-ca-files.json', 'manifests/empty.k8s.yaml']);
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
