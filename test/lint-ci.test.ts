/**
 * Issue 13: a linter a platform team can gate CI on. Scope (contexts, evidence), severities and suppression, parse
 * errors and bad files as findings, the carrier shapes teams deploy, and the rules for mistakes seen in real
 * repositories. Every fixture is written here, in the shapes public repositories use.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../src/cli';
import { detacher, LintDocument, parseFile } from '../src/lint/documents';
import { lintPaths, lintPathsAsync, LintOptions } from '../src/lint/lint';

/** A folder holding `files` (relative path → content). */
function tree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'ica-lint-ci-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

const lint = (root: string, options: LintOptions = {}) => lintPaths([root], options);
const ids = (root: string, options: LintOptions = {}) => lint(root, options).findings.map((f) => `${f.ruleId}:${f.severity}`);
const cli = async (...args: string[]) => {
  let stdout = '';
  let stderr = '';
  const code = await main(args, (s) => { stdout += s; }, (s) => { stderr += s; });
  return { code, stdout, stderr };
};

const ISTIOD_PROD = 'meshConfig:\n  trustDomain: prod.example.com\n';
const CSR_STAGING = 'app:\n  tls: {trustDomain: staging.example.com}\n';

describe('lint scope: only documents that deploy together are paired', () => {
  it('two cluster folders are two contexts: no trust-domain mismatch across them; one folder pairs', async () => {
    const root = tree({ 'clusters/prod/istiod-values.yaml': ISTIOD_PROD, 'clusters/staging/istio-csr-values.yaml': CSR_STAGING });
    assert.deepEqual(ids(root), []);
    const same = tree({ 'clusters/prod/istiod-values.yaml': ISTIOD_PROD, 'clusters/prod/istio-csr-values.yaml': CSR_STAGING });
    assert.deepEqual(ids(same), ['ICA016:error']);
  });

  it('--context DIR (or contexts: in the config) makes folders one context', async () => {
    const root = tree({ 'mesh/istiod/values.yaml': ISTIOD_PROD, 'mesh/csr/istio-csr.yaml': CSR_STAGING });
    assert.deepEqual(ids(root), []);
    assert.deepEqual(ids(root, { contextDirs: [join(root, 'mesh')] }), ['ICA016:error']);
    assert.deepEqual(ids(root, { contexts: [{ name: 'prod', paths: [join(root, 'mesh/istiod'), join(root, 'mesh/csr')] }] }), ['ICA016:error']);
  });

  it('a kustomization pairs its sub-folders and gives objects without a namespace its namespace', async () => {
    const cert = 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: cacerts}\nspec: {secretName: cacerts, isCA: true, commonName: x, issuerRef: {name: i}}\n';
    // Without a namespace anywhere, the apply decides: not "in default".
    assert.deepEqual(ids(tree({ 'base/cert.yaml': cert })), []);
    assert.deepEqual(ids(tree({ 'overlay/kustomization.yaml': 'namespace: istio-system\nresources: [certs]\n', 'overlay/certs/cert.yaml': cert })), []);
    assert.deepEqual(ids(tree({ 'overlay/kustomization.yaml': 'namespace: apps\nresources: [certs]\n', 'overlay/certs/cert.yaml': cert })), ['ICA012:error']);
  });

  it('values are istiod values only with evidence; global:/env: alone give notes, never errors; other charts are not read', async () => {
    // A Kubeflow-like chart's values: global + env, no istiod-only key.
    const weak = tree({ 'apps/values.yaml': 'global:\n  domain: example.com\nenv:\n  SECRET_TTL: 1h\n', 'apps/istio-csr.yaml': CSR_STAGING });
    assert.deepEqual(ids(weak), ['ICA005:note']);
    assert.equal((await cli('lint', weak)).code, 0);
    // Beside the Chart.yaml of another chart, values.yaml is that chart's.
    assert.deepEqual(ids(tree({ 'charts/kf/Chart.yaml': 'name: kubeflow\nversion: 1.0.0\n', 'charts/kf/values.yaml': 'env:\n  SECRET_TTL: 1h\n' })), []);
    // The istiod chart, declared by Chart.yaml or in the config, makes it an error.
    assert.deepEqual(ids(tree({ 'charts/istiod/Chart.yaml': 'name: istiod\n', 'charts/istiod/values.yaml': 'env:\n  SECRET_TTL: 1h\n' })), ['ICA005:error']);
    const declared = tree({ 'deploy/mesh.yaml': 'env:\n  SECRET_TTL: 1h\n' });
    assert.deepEqual(ids(declared, { charts: [{ path: join(declared, 'deploy/mesh.yaml'), chart: 'istiod' }] }), ['ICA005:error']);
  });

  it('ztunnel and gateway values may set istio-agent env', async () => {
    assert.deepEqual(ids(tree({ 'ztunnel-values.yaml': 'env:\n  SECRET_TTL: 12h\ncaAddress: istiod.istio-system.svc:15012\n', 'gateway/values.yaml': 'env:\n  SECRET_TTL: 12h\n' })), []);
  });

  it('an app team\'s ProxyConfig with ISTIO_META_CERT_SIGNER, without the istiod config, is a note', async () => {
    const root = tree({ 'pc.yaml': 'apiVersion: networking.istio.io/v1beta1\nkind: ProxyConfig\nmetadata: {name: p, namespace: team-a}\nspec:\n  environmentVariables: {ISTIO_META_CERT_SIGNER: team-a}\n' });
    assert.deepEqual(ids(root), ['ICA003:note']);
    assert.equal((await cli('lint', root)).code, 0);
    assert.equal((await cli('lint', '--fail-on', 'note', root)).code, 1);
  });

  it('placeholders are not checked, an empty istio-ca-root-cert placeholder is not a rotation, trustDomainAliases are', async () => {
    assert.deepEqual(ids(tree({ 'istiod-values.yaml': 'meshConfig:\n  trustDomain: ${TRUST_DOMAIN}\n' })), []);
    assert.deepEqual(ids(tree({ 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio-ca-root-cert, namespace: apps}\n' })), []);
    assert.deepEqual(ids(tree({ 'istiod-values.yaml': 'meshConfig:\n  trustDomain: prod.example.com\n  trustDomainAliases: [Old_Domain]\n' })), ['ICA017:error']);
  });
});

describe('lint severities, configuration and suppression', () => {
  const bad = () => tree({ 'istiod-values.yaml': 'env:\n  SECRET_TTL: 1h   # istio-custom-ca-lint: ignore ICA005 -- migrating, ticket MESH-12\n  CA_PROVIDER: x\n' });

  it('an inline comment with a reason silences one finding; without a reason it stays and says why', async () => {
    const r = lint(bad());
    assert.deepEqual(r.findings.map((f) => f.path), ['env.CA_PROVIDER']);
    assert.equal(r.suppressed, 1);
    const noReason = lint(tree({ 'istiod-values.yaml': 'env:\n  # istio-custom-ca-lint: ignore ICA005\n  SECRET_TTL: 1h\n' }));
    assert.match(noReason.findings[0].message, /gives no reason; add one after '--'/);
  });

  it('config file: rule severities and off, failOn, ignore; --disable; unknown rules and keys are refused', async () => {
    const root = bad();
    writeFileSync(join(root, '.istio-custom-ca-lint.yaml'), 'rules:\n  ICA005: warning\nignore: [vendor]\n');
    mkdirSync(join(root, 'vendor'));
    writeFileSync(join(root, 'vendor', 'istiod-values.yaml'), 'env: {VAULT_ADDR: x}\n');
    const warn = (await cli('lint', '--config', join(root, '.istio-custom-ca-lint.yaml'), root));
    assert.equal(warn.code, 0, warn.stdout);
    assert.match(warn.stdout, /warning ICA005/);
    assert.doesNotMatch(warn.stdout, /VAULT_ADDR/);
    assert.equal((await cli('lint', '--config', join(root, '.istio-custom-ca-lint.yaml'), '--fail-on', 'warning', root)).code, 1);
    assert.equal((await cli('lint', '--disable', 'ICA005', root)).code, 1, 'without the config, vendor/ is linted (VAULT_ADDR)');
    assert.equal((await cli('lint', '--config', join(root, '.istio-custom-ca-lint.yaml'), '--disable', 'ICA005', '--fail-on', 'note', root)).code, 0);
    assert.match((await cli('lint', '--disable', 'ICA999', root)).stderr, /--disable ICA999: no such rule/);
    writeFileSync(join(root, 'c.yaml'), 'rules:\n  ICA005: loud\n');
    assert.match((await cli('lint', '--config', join(root, 'c.yaml'), root)).stderr, /'rules.ICA005' \(loud\) must be error, warning, note or off/);
    writeFileSync(join(root, 'd.yaml'), 'severity: high\n');
    assert.match((await cli('lint', '--config', join(root, 'd.yaml'), root)).stderr, /unknown key 'severity'/);
  });

  it('SARIF levels follow the configured severity', async () => {
    const root = bad();
    writeFileSync(join(root, 'x.yaml'), 'rules:\n  ICA005: note\n');
    const sarif = JSON.parse((await cli('lint', '--format', 'sarif', '--config', join(root, 'x.yaml'), root)).stdout);
    assert.deepEqual(sarif.runs[0].results.map((r: any) => r.level), ['note']);
  });
});

describe('lint input: one bad file never hides the others', () => {
  it('a document kept for cross-file rules does not hold its parsed file (memory stays bounded by the index)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const text = 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: c, namespace: a}\nspec: {secretName: c, issuerRef: {name: i}}\n';
    let original: LintDocument | undefined = parseFile('/x/c.yaml', text).docs[0];
    const kept = detacher(() => text)(original);
    const ref = new WeakRef(original);
    original = undefined;
    await new Promise((r) => setImmediate(r));
    gc();
    assert.equal(ref.deref(), undefined, 'the kept copy still references the parsed document (and its syntax tree)');
    assert.equal(kept.line(['spec', 'secretName']), 4);
  });

  const good = 'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: {name: x}\nspec:\n  meshConfig:\n    ca: {address: x}\n';

  it('a broken IstioOperator is an error with its line; Helm templates are skipped and counted; no warning reaches stderr', async () => {
    const root = tree({
      'a-broken.yaml': 'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  meshConfig: {trustDomain: x\n',
      'chart/templates/istiod.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\ndata: {}\n{{- end }}\n',
      'dup.yaml': 'env:\n  A: 1\n  A: 2\n',
      'z-good.yaml': good,
    });
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    const emit = process.emitWarning;
    process.stderr.write = ((s: string) => { errors.push(String(s)); return true; }) as typeof process.stderr.write;
    process.emitWarning = ((w: string | Error) => { errors.push(String(w)); }) as typeof process.emitWarning;
    let r;
    try {
      r = lint(root);
    } finally {
      process.stderr.write = write;
      process.emitWarning = emit;
    }
    assert.deepEqual(errors, []);
    assert.deepEqual(r.findings.map((f) => `${f.ruleId}:${f.severity}`), ['ICA900:error', 'ICA001:error']);
    assert.ok(r.findings[0].line! >= 4, 'the parse error has a line');
    assert.equal(r.templates, 1);
    assert.equal((await cli('lint', root)).code, 1);
    // A broken document beside a templated one in the same file is still a parse error.
    const mixed = lint(tree({ 'mixed.yaml': '{{- if .Values.x }}\na: 1\n{{- end }}\n---\nb: [1, 2\n' }));
    assert.deepEqual(mixed.findings.map((f) => f.ruleId), ['ICA900']);
    assert.equal(mixed.templates, 1);
  });

  it('alias bombs, symlink loops, links outside the tree, broken links, FIFOs, binary and UTF-16 files each give one finding', async () => {
    const bomb = 'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n' +
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n';
    const benign = `x: &v {k: 1}\n${Array.from({ length: 150 }, (_, i) => `k${i}: *v`).join('\n')}\n`;
    const outside = tree({ 'secret.yaml': good });
    const root = tree({
      'bomb.yaml': bomb, 'benign.yaml': benign, 'binary.yaml': Buffer.from([0x61, 0x3a, 0x00, 0x01]),
      'utf16.yaml': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a: 1\n', 'utf16le')]), 'z-good.yaml': good,
    });
    symlinkSync(root, join(root, 'loop'));
    symlinkSync(join(outside, 'secret.yaml'), join(root, 'outside.yaml'));
    symlinkSync(join(root, 'nowhere.yaml'), join(root, 'broken.yaml'));
    symlinkSync('/dev/zero', join(root, 'zero.yaml'));
    execFileSync('mkfifo', [join(root, 'fifo.yaml')]);
    const r = lint(root);
    const by = (name: string) => r.findings.filter((f) => f.file.endsWith(name)).map((f) => `${f.ruleId}: ${f.message}`);
    assert.match(by('bomb.yaml').join(), /ICA900: .*cannot be expanded/);
    assert.deepEqual(by('benign.yaml'), []);
    assert.match(by('binary.yaml').join(), /ICA901: .*is binary/);
    assert.match(by('utf16.yaml').join(), /ICA901: .*UTF-16/);
    assert.match(by('loop').join(), /ICA901: .*symbolic link loop/);
    assert.match(by('outside.yaml').join(), /ICA901: .*outside the folder being linted; it is not followed/);
    assert.match(by('broken.yaml').join(), /ICA901: .*broken link/);
    assert.match(by('zero.yaml').join(), /ICA901: .*outside the folder being linted|not a regular file/);
    assert.match(by('fifo.yaml').join(), /ICA901: .*not a regular file/);
    assert.deepEqual(by('z-good.yaml').map((s) => s.slice(0, 6)), ['ICA001']);
  });

  it('documents of unexpected shape do not stop the run; kind: List items are linted; a 1 MB one-line JSON array is read', async () => {
    const root = tree({
      'shapes.yaml': 'env: 5\nmeshConfig: [1]\n---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: d}\nspec: {trafficPolicy: "x", subsets: 3}\n' +
        '---\napiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: r}\nspec: {groups: {a: 1}}\n---\nenv: [null, 3, {name: SECRET_TTL}]\n',
      'list.yaml': `apiVersion: v1\nkind: List\nitems:\n- ${good.replace(/\n/g, '\n  ').trimEnd()}\n`,
      'big.json': JSON.stringify(Array.from({ length: 60_000 }, (_, i) => ({ i, s: 'xxxxxxxx' }))),
    });
    const r = lint(root);
    assert.deepEqual(r.findings.filter((f) => f.file.endsWith('list.yaml')).map((f) => [f.ruleId, f.path]), [['ICA001', 'items[0].spec.meshConfig.ca']]);
    assert.ok(r.findings.every((f) => !f.file.endsWith('big.json')));
  });
});

describe('lint reads the shapes teams deploy', () => {
  const env = 'env:\n  SECRET_TTL: 1h\n';
  const indent = (s: string, n: number) => s.replace(/^/gm, ' '.repeat(n)).trimEnd();
  const CARRIERS: Record<string, string> = {
    'Sail Istio': `apiVersion: sailoperator.io/v1\nkind: Istio\nmetadata: {name: default}\nspec:\n  values:\n    pilot:\n${indent(env, 6)}\n`,
    'Argo CD valuesObject': `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: istiod}\nspec:\n  source:\n    chart: istiod\n    helm:\n      valuesObject:\n${indent(env, 8)}\n`,
    'Argo CD values string': `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: istiod}\nspec:\n  sources:\n  - chart: istiod\n    helm:\n      values: |\n${indent(env, 8)}\n`,
    'Flux HelmRelease': `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: istiod}\nspec:\n  chart:\n    spec: {chart: istiod}\n  values:\n${indent(env, 4)}\n`,
    'kustomize helmCharts': `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nhelmCharts:\n- name: istiod\n  valuesInline:\n${indent(env, 4)}\n`,
    'rendered istiod Deployment': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: istiod, namespace: istio-system}\nspec:\n  template:\n    spec:\n      containers:\n      - name: discovery\n        env:\n        - {name: SECRET_TTL, value: 1h}\n',
  };
  for (const [shape, text] of Object.entries(CARRIERS)) {
    it(`${shape}: istiod env is checked (ICA005)`, async () => {
      const r = lint(tree({ 'app.yaml': text }));
      assert.deepEqual(r.findings.map((f) => `${f.ruleId}:${f.severity}`), ['ICA005:error']);
      assert.ok(r.findings[0].line !== undefined, 'the finding has a line');
    });
  }

  it('the istio mesh ConfigMap and proxy.istio.io/config annotations are read', async () => {
    const mesh = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: |-\n    trustDomain: My_Mesh\n';
    assert.deepEqual(ids(tree({ 'cm.yaml': mesh })), ['ICA017:error']);
    const pod = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app, namespace: a}\nspec:\n  template:\n    metadata:\n      annotations:\n' +
      '        proxy.istio.io/config: |\n          proxyMetadata: {SECRET_GRACE_PERIOD: 1h}\n';
    assert.deepEqual(ids(tree({ 'app.yaml': pod })), ['ICA021:error']);
  });

  it('kube-prometheus-stack rule values and VMRules are read', async () => {
    const expr = 'increase(citadel_server_csr_sign_error_count[5m]) > 0';
    const kps = `additionalPrometheusRulesMap:\n  istio:\n    groups:\n    - name: g\n      rules:\n      - alert: A\n        expr: ${expr}\n`;
    const vm = `apiVersion: operator.victoriametrics.com/v1beta1\nkind: VMRule\nmetadata: {name: r}\nspec:\n  groups:\n  - name: g\n    rules:\n    - alert: A\n      expr: ${expr}\n`;
    assert.deepEqual(ids(tree({ 'kps-values.yaml': kps, 'vmrule.yaml': vm })), ['ICA010:error', 'ICA010:error']);
  });

  it('Terraform JSON in the array-per-block form (hcl2json) is read', async () => {
    const root = tree({
      'cert.yaml': 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: w, namespace: a}\nspec: {secretName: w, duration: 720h, issuerRef: {name: vault, kind: ClusterIssuer}}\n---\n' +
        'apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: vault}\nspec:\n  vault: {server: "https://v:8200", path: pki_int/sign/istio, auth: {kubernetes: {role: r, serviceAccountRef: {name: s}}}}\n',
      'main.tf.json': JSON.stringify({ resource: { vault_mount: { int: [{ path: 'pki_int', type: 'pki' }] }, vault_pki_secret_backend_role: { r: [{ backend: '${vault_mount.int.path}', name: 'istio', max_ttl: '72h' }] } } }),
    });
    assert.deepEqual(ids(root), ['ICA015:error']);
  });

  // The shapes public Terraform repositories use for Istio: helm_release with a heredoc of values and set blocks.
  const HCL = [
    'resource "helm_release" "istiod" {',
    '  name       = "istiod"',
    '  repository = "https://istio-release.storage.googleapis.com/charts"',
    '  chart      = "istiod"',
    '  namespace  = "istio-system"',
    '  values = [<<-EOT',
    '    meshConfig:',
    '      defaultConfig:',
    '        proxyMetadata:',
    '          SECRET_GRACE_PERIOD: 6h',
    '    EOT',
    '  , yamlencode({ pilot = { env = { SECRET_TTL = "12h" } } })]',
    '  set {',
    '    name  = "pilot.env.ENABLE_CLUSTER_TRUST_BUNDLE"',
    '    value = "true"',
    '  }',
    '}',
    'resource "vault_mount" "int" {',
    '  path = "pki_int"',
    '  type = "pki"',
    '}',
    'resource "vault_pki_secret_backend_role" "istio" {',
    '  backend = vault_mount.int.path',
    '  name    = "istio"',
    '  max_ttl = "72h"',
    '}',
    '',
  ].join('\n');
  const VAULT_CERT = 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: w, namespace: a}\nspec: {secretName: w, duration: 720h, issuerRef: {name: vault, kind: ClusterIssuer}}\n---\n' +
    'apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: vault}\nspec:\n  vault: {server: "https://v:8200", path: pki_int/sign/istio, auth: {kubernetes: {role: r, serviceAccountRef: {name: s}}}}\n';

  it('Terraform HCL (.tf) is read through hcl2json: helm_release values and set blocks, Vault roles, lines in the .tf file', async () => {
    const root = tree({ 'main.tf': HCL, 'cert.yaml': VAULT_CERT });
    const r = await lintPathsAsync([root]);
    assert.deepEqual(r.findings.map((f) => `${f.ruleId}:${f.severity}:${f.file.endsWith('.tf') ? f.line : 'yaml'}`),
      ['ICA015:error:yaml', 'ICA021:error:10', 'ICA022:error:14']);
    assert.match(r.findings[1].message, /SECRET_GRACE_PERIOD.*\(in Terraform helm_release\.istiod resource\.helm_release\.istiod\.0\.values\.0\)/);
    assert.equal(r.files, 2);
    // and the CLI reads it
    assert.equal((await cli('lint', root)).code, 1);
  });

  it('Terraform HCL: a syntax error is ICA900 naming the file; lintPaths (no converter) says once that .tf was not read', async () => {
    const root = tree({ 'bad.tf': 'resource "helm_release" "x" {\n  chart = \n', 'ok.tf': HCL, 'cert.yaml': VAULT_CERT });
    const r = await lintPathsAsync([root]);
    assert.deepEqual(r.findings.filter((f) => f.ruleId === 'ICA900').map((f) => f.file), [join(root, 'bad.tf')]);
    assert.match(r.findings.find((f) => f.ruleId === 'ICA900')!.message, /is not valid HCL/);
    const sync = lint(root);
    assert.deepEqual(sync.findings.map((f) => `${f.ruleId}:${f.severity}`), ['ICA903:note']);
    assert.match(sync.findings[0].message, /2 Terraform HCL file\(s\) not read: lintPaths reads no HCL/);
    assert.equal(sync.files, 1);
  });
});
