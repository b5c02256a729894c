import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../src/cli';
import { parseDocuments } from '../src/lint/documents';
import { INPUT_RULES, lintDocuments, lintPaths } from '../src/lint/lint';
import { RULES } from '../src/lint/rules';
import { MeshApp } from '../src';
import { EXAMPLES } from './examples';
import { FIXTURES } from './pki-fixtures';
import { SCHEMAS_DIR } from './support';

/** Lints YAML text (one or more files, `name: text`) and returns the rule ids found. */
function lint(files: Record<string, string>, options = {}): { ids: string[]; messages: string[] } {
  const docs = Object.entries(files).flatMap(([name, text]) => parseDocuments(name, text));
  const findings = lintDocuments(docs, options);
  return { ids: findings.map((f) => f.ruleId), messages: findings.map((f) => f.message) };
}

const iop = (spec: string) => `apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: {name: x, namespace: istio-system}\nspec:\n${spec}`;

/** istiod values of cluster `name` of mesh `m`, with its trust domain and any extra lines under meshConfig. */
function clusterValues(name: string, trustDomain: string, meshConfig = ''): string {
  return `global:\n  meshID: m\n  multiCluster: {clusterName: ${name}}\nmeshConfig:\n  trustDomain: ${trustDomain}\n${meshConfig}`;
}

/** Per rule: a minimal bad document set that must trigger it, and a minimal good one that must not. */
const CASES: Record<string, { bad: Record<string, string>; good: Record<string, string>; message: RegExp }> = {
  ICA001: {
    bad: { 'a.yaml': iop('  meshConfig:\n    ca: {address: "kubernetes.default:443"}\n') },
    good: { 'a.yaml': iop('  meshConfig:\n    trustDomain: cluster.local\n') },
    message: /meshConfig.ca is a hidden, unimplemented field/,
  },
  ICA002: {
    bad: { 'a.yaml': iop('  components:\n    pilot:\n      k8s:\n        env:\n        - {name: CITADEL_ENABLE_CA_SERVER, value: "false"}\n') },
    good: { 'a.yaml': 'env:\n  ENABLE_CA_SERVER: "false"\n' },
    message: /CITADEL_ENABLE_CA_SERVER never existed/,
  },
  ICA003: {
    bad: { 'a.yaml': 'meshConfig:\n  defaultConfig:\n    proxyMetadata: {ISTIO_META_CERT_SIGNER: cert-manager}\n' },
    good: { 'a.yaml': 'meshConfig:\n  defaultConfig:\n    proxyMetadata: {ISTIO_META_CERT_SIGNER: istio-system}\nenv:\n  EXTERNAL_CA: ISTIOD_RA_KUBERNETES_API\n  CERT_SIGNER_DOMAIN: clusterissuers.cert-manager.io\n' },
    message: /only matters when istiod is a Kubernetes CSR RA/,
  },
  ICA004: {
    bad: { 'a.yaml': iop('  meshConfig:\n    defaultConfig:\n      secretTtl: 3600s\n') },
    good: { 'a.yaml': iop('  meshConfig:\n    defaultConfig:\n      proxyMetadata: {SECRET_TTL: 1h}\n') },
    message: /no secretTtl field/,
  },
  ICA005: {
    bad: { 'a.yaml': iop('  values:\n    pilot:\n      env:\n      - {name: SECRET_TTL, value: 86400s}\n') },
    good: { 'a.yaml': iop('  values:\n    pilot:\n      env: {MAX_WORKLOAD_CERT_TTL: 48h}\n') },
    message: /SECRET_TTL is istio-agent \(sidecar\) env/,
  },
  ICA006: {
    bad: { 'a.yaml': 'env:\n  VAULT_ADDR: http://vault:8200\n' },
    good: { 'a.yaml': 'env:\n  PILOT_TRACE_SAMPLING: "1"\n' },
    message: /VAULT_ADDR was node-agent env/,
  },
  ICA007: {
    bad: { 'a.yaml': 'global:\n  pilotCertProvider: kubernetes\n' },
    good: { 'a.yaml': 'global:\n  pilotCertProvider: istiod\n' },
    message: /istiod exits with log.Fatal since Istio 1.23/,
  },
  ICA008: {
    bad: { 'a.yaml': 'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: p}\nspec:\n  host: p\n  trafficPolicy:\n    portLevelSettings:\n    - port: {number: 80}\n      tls: {mode: ISTIO_MUTUAL, caCertificates: /etc/ca.pem}\n' },
    good: { 'a.yaml': 'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: p}\nspec:\n  host: p\n  trafficPolicy:\n    tls: {mode: MUTUAL, caCertificates: /etc/ca.pem, clientCertificate: /etc/c.pem, privateKey: /etc/k.pem}\n' },
    message: /cannot pin a CA with ISTIO_MUTUAL: Pilot keeps only subjectAltNames/,
  },
  ICA009: {
    bad: { 'a.yaml': 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p, namespace: istio-system}\nspec:\n  selector: {matchLabels: {app: x}}\n  mtls: {mode: PERMISSIVE}\n' },
    good: { 'a.yaml': 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p, namespace: apps}\nspec:\n  selector: {matchLabels: {app: x}}\n  mtls: {mode: PERMISSIVE}\n' },
    message: /'namespace' \(istio-system\) is the root namespace, where a selector-bearing PeerAuthentication is ambiguous/,
  },
  ICA010: {
    bad: { 'a.yaml': 'groups:\n- name: g\n  rules:\n  - alert: A\n    expr: increase(citadel_server_csr_sign_error_count[5m]) > 0\n' },
    // Existing metrics that are not about certificates (xDS rejects) are not the rule's business (Issue 13).
    good: { 'a.yaml': 'groups:\n- name: g\n  rules:\n  - alert: A\n    expr: min(istio_agent_cert_expiry_seconds) < 900\n  - alert: B\n    expr: increase(pilot_xds_cds_reject[5m]) > 0\n' },
    message: /citadel_server_csr_sign_error_count: does not exist; the counter is citadel_server_csr_sign_err_count/,
  },
  ICA011: {
    bad: { 'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio-ca-root-cert, namespace: istio-system}\ndata: {root-cert.pem: x}\n' },
    good: { 'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio-root-ca, namespace: cert-manager}\ndata: {ca.pem: x}\n' },
    message: /ConfigMap 'metadata.name' \(istio-ca-root-cert\) is the ConfigMap istiod or istio-csr own and rewrite/,
  },
  ICA012: {
    bad: { 'a.yaml': 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: cacerts, namespace: default}\nspec: {secretName: cacerts, isCA: true, commonName: x, issuerRef: {name: i}}\n' },
    good: { 'a.yaml': 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: cacerts, namespace: istio-system}\nspec: {secretName: cacerts, isCA: true, commonName: x, issuerRef: {name: i}}\n' },
    message: /istiod only mounts cacerts from its own namespace/,
  },
  ICA013: {
    bad: { 'a.yaml': 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: cacerts, namespace: istio-system}\nspec: {secretName: cacerts, commonName: x, issuerRef: {name: i}}\n' },
    good: { 'a.yaml': 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: cacerts, namespace: istio-system}\nspec: {secretName: cacerts, isCA: true, commonName: x, issuerRef: {name: i}}\n' },
    message: /is not a CA/,
  },
  ICA014: {
    bad: { 'a.yaml': 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: c, namespace: a}\nspec: {secretName: c, duration: 24h, renewBefore: 48h, issuerRef: {name: i}}\n' },
    good: { 'a.yaml': 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: c, namespace: a}\nspec: {secretName: c, duration: 48h, renewBefore: 24h, issuerRef: {name: i}}\n' },
    message: /'renewBefore' \(48h\) must be shorter than 'duration' \(24h\)/,
  },
  ICA015: {
    bad: {
      'cert.yaml': 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: w, namespace: a}\nspec: {secretName: w, duration: 720h, issuerRef: {name: vault, kind: ClusterIssuer}}\n---\n' +
        'apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: vault}\nspec:\n  vault: {server: "https://v:8200", path: pki_int/sign/istio, auth: {kubernetes: {role: r, serviceAccountRef: {name: s}}}}\n',
      'main.tf.json': JSON.stringify({ resource: { vault_mount: { int: { path: 'pki_int', type: 'pki' } }, vault_pki_secret_backend_role: { r: { backend: '${vault_mount.int.path}', name: 'istio', max_ttl: '72h' } } } }),
    },
    good: {
      'cert.yaml': 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: w, namespace: a}\nspec: {secretName: w, duration: 24h, issuerRef: {name: vault, kind: ClusterIssuer}}\n---\n' +
        'apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: vault}\nspec:\n  vault: {server: "https://v:8200", path: pki_int/sign/istio, auth: {kubernetes: {role: r, serviceAccountRef: {name: s}}}}\n',
      'main.tf.json': JSON.stringify({ resource: { vault_mount: { int: { path: 'pki_int', type: 'pki' } }, vault_pki_secret_backend_role: { r: { backend: '${vault_mount.int.path}', name: 'istio', max_ttl: '72h' } } } }),
    },
    message: /Certificate a\/w 'duration' \(720h\) exceeds Vault role pki_int\/istio max_ttl .*\(72h\); Vault would silently cap it/,
  },
  ICA016: {
    bad: { 'istiod.yaml': 'meshConfig:\n  trustDomain: mesh.example.com\n', 'csr.yaml': 'app:\n  tls: {trustDomain: cluster.local}\n' },
    good: { 'istiod.yaml': 'meshConfig:\n  trustDomain: mesh.example.com\n', 'csr.yaml': 'app:\n  tls: {trustDomain: mesh.example.com}\n' },
    message: /istio-csr app.tls.trustDomain trust domain \(cluster.local\) differs from meshConfig.trustDomain in istiod.yaml \(mesh.example.com\)/,
  },
  ICA017: {
    bad: { 'a.yaml': 'meshConfig:\n  trustDomain: My_Mesh\n' },
    good: { 'a.yaml': 'meshConfig:\n  trustDomain: my-mesh.example\n' },
    message: /'meshConfig.trustDomain' \(My_Mesh\) is not a trust domain that Istio accepts/,
  },
  ICA018: {
    bad: { 'a.yaml': 'meshConfig:\n  defaultConfig:\n    proxyMetadata: {SECRET_TTL: 48h}\nenv: {MAX_WORKLOAD_CERT_TTL: 24h}\n' },
    good: { 'a.yaml': 'meshConfig:\n  defaultConfig:\n    proxyMetadata: {SECRET_TTL: 24h}\nenv: {MAX_WORKLOAD_CERT_TTL: 48h}\n' },
    message: /'workloadCertTtl' \(48h\) must not exceed 'maxWorkloadCertTtl' \(24h\)/,
  },
  ICA019: {
    bad: { 'a.yaml': 'meshConfig:\n  defaultConfig:\n    proxyMetadata: {SECRET_GRACE_PERIOD_RATIO: "1.5"}\n' },
    good: { 'a.yaml': 'meshConfig:\n  defaultConfig:\n    proxyMetadata: {SECRET_GRACE_PERIOD_RATIO: "0.5"}\n' },
    message: /'gracePeriodRatio' \(1.5\) must be greater than 0 and less than 1/,
  },
  ICA020: {
    bad: { 'a.yaml': 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: cacerts, namespace: istio-system}\nspec: {secretName: cacerts, isCA: true, commonName: x, issuerRef: {name: v, kind: ClusterIssuer}}\n---\n' +
      'apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: v}\nspec:\n  vault: {server: "https://v:8200", path: pki/sign/istio, auth: {kubernetes: {role: r, serviceAccountRef: {name: s}}}}\n' },
    good: { 'a.yaml': 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: cacerts, namespace: istio-system}\nspec: {secretName: cacerts, isCA: true, commonName: x, issuerRef: {name: v, kind: ClusterIssuer}}\n---\n' +
      'apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: v}\nspec:\n  vault: {server: "https://v:8200", path: pki/root/sign-intermediate, auth: {kubernetes: {role: r, serviceAccountRef: {name: s}}}}\n' },
    message: /a role path that only issues leaf certificates/,
  },
  ICA021: {
    bad: { 'a.yaml': 'meshConfig:\n  defaultConfig:\n    proxyMetadata: {SECRET_GRACE_PERIOD: 12h}\n' },
    good: { 'a.yaml': 'meshConfig:\n  defaultConfig:\n    proxyMetadata: {SECRET_GRACE_PERIOD_RATIO: "0.5", CA_ADDR: "cert-manager-istio-csr.cert-manager.svc:443"}\n' },
    message: /istio-agent reads no variable SECRET_GRACE_PERIOD \(did you mean SECRET_GRACE_PERIOD_RATIO\?\)/,
  },
  ICA022: {
    bad: { 'istiod-values.yaml': 'pilot:\n  env: {ENABLE_CLUSTER_TRUST_BUNDLE: "true"}\n' },
    good: { 'istiod-values.yaml': 'pilot:\n  env: {ENABLE_CLUSTER_TRUST_BUNDLE_API: "true"}\n' },
    message: /istiod reads ENABLE_CLUSTER_TRUST_BUNDLE_API, not ENABLE_CLUSTER_TRUST_BUNDLE/,
  },
  ICA023: {
    bad: { 'a.yaml': iop('  meshConfig:\n    defaultConfig:\n      proxyMetadata: {MAX_WORKLOAD_CERT_TTL: 48h}\n') },
    good: { 'a.yaml': iop('  values:\n    pilot:\n      env: {MAX_WORKLOAD_CERT_TTL: 48h}\n') },
    message: /MAX_WORKLOAD_CERT_TTL is istiod env; istio-agent does not read it/,
  },
  ICA024: {
    bad: { 'a.yaml': iop('  values:\n    pilot:\n      env: {DEFAULT_WORKLOAD_CERT_TTL: 12h}\n') },
    good: { 'a.yaml': iop('  meshConfig:\n    defaultConfig:\n      proxyMetadata: {SECRET_TTL: 12h}\n  values:\n    pilot:\n      env: {DEFAULT_WORKLOAD_CERT_TTL: 12h}\n') },
    message: /DEFAULT_WORKLOAD_CERT_TTL \(12h\) applies only to CSRs that ask for no lifetime/,
  },
  ICA025: {
    bad: { 'a.yaml': iop('  meshConfig:\n    caCertificates:\n    - certSigners: [clusterissuers.cert-manager.io/istio-ca]\n') },
    good: { 'a.yaml': iop('  meshConfig:\n    caCertificates:\n    - pem: "-----BEGIN CERTIFICATE-----"\n      certSigners: [clusterissuers.cert-manager.io/istio-ca]\n') },
    message: /neither pem nor spiffeBundleUrl/,
  },
  ICA026: {
    bad: { 'a.yaml': 'apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata: {name: ca, namespace: istio-system}\nspec: {ca: {secretName: cacerts}}\n---\n' +
      'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: cacerts, namespace: istio-system}\nspec: {secretName: cacerts, isCA: true, commonName: x, issuerRef: {name: ca}}\n' },
    good: { 'a.yaml': 'apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata: {name: ca, namespace: istio-system}\nspec: {ca: {secretName: mesh-root}}\n---\n' +
      'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: cacerts, namespace: istio-system}\nspec: {secretName: cacerts, isCA: true, commonName: x, issuerRef: {name: ca}}\n' },
    message: /signs with the Secret cacerts, the very Secret this Certificate is to create/,
  },
  ICA027: {
    bad: { 'a.yaml': iop('  values:\n    pilot:\n      env: {AUTO_RELOAD_PLUGIN_CERTS: "true"}\n') },
    good: { 'a.yaml': iop('  values:\n    pilot:\n      env: {MAX_WORKLOAD_CERT_TTL: 48h}\n') },
    message: /AUTO_RELOAD_PLUGIN_CERTS was removed in Istio 1.19/,
  },
  // The overlay older istio-csr guides gave: patch istiod's args with the mounted certificate files.
  ICA028: {
    bad: { 'a.yaml': iop('  components:\n    pilot:\n      k8s:\n        overlays:\n        - apiVersion: apps/v1\n          kind: Deployment\n          name: istiod\n          patches:\n' +
      '          - path: spec.template.spec.containers.[name:discovery].args[-1]\n            value: "--tlsCertFile=/etc/cert-manager/tls/tls.crt"\n' +
      '          - path: spec.template.spec.containers.[name:discovery].args[-1]\n            value: "--caCertFile=/etc/cert-manager/ca/root-cert.pem"\n') },
    good: { 'a.yaml': iop('  components:\n    pilot:\n      k8s:\n        overlays:\n        - apiVersion: apps/v1\n          kind: Deployment\n          name: istiod\n          patches:\n' +
      '          - path: spec.template.spec.containers.[name:discovery].args[-1]\n            value: "--log_output_level=default:debug"\n') },
    message: /--tlsCertFile is patched into istiod's args; since Istio 1.16 the istiod chart mounts the 'istiod-tls' Secret/,
  },
  // Two clusters of mesh m (one folder per cluster under clusters/): their trust domains differ without aliases.
  ICA029: {
    bad: { 'f/clusters/east/istiod-values.yaml': clusterValues('east', 'east.example.com'), 'f/clusters/west/istiod-values.yaml': clusterValues('west', 'west.example.com') },
    good: { 'f/clusters/east/istiod-values.yaml': clusterValues('east', 'example.com'), 'f/clusters/west/istiod-values.yaml': clusterValues('west', 'example.com') },
    message: /^clusters 'east' \(trust domain east.example.com\) and 'west' \(trust domain west.example.com\) would reject each other's workload identities/,
  },
};

describe('istio-custom-ca lint', () => {
  it('has a bad and a good case for every rule, and stable unique ids', async () => {
    assert.deepEqual(RULES.map((r) => r.id).sort(), Object.keys(CASES).sort());
    assert.equal(new Set(RULES.map((r) => r.id)).size, RULES.length);
    for (const r of RULES) assert.match(r.fact, /§/, `${r.id} cites a fact`);
  });

  for (const [id, c] of Object.entries(CASES)) {
    it(`${id}: the bad document is reported with its message, the good one is clean`, async () => {
      const bad = lint(c.bad);
      assert.ok(bad.ids.includes(id), `${id} not reported: ${bad.ids.join(', ')}`);
      assert.ok(bad.messages.some((m) => c.message.test(m)), `${id} message: ${bad.messages.join(' | ')}`);
      assert.deepEqual(lint(c.good).ids, [], `${id} good case`);
    });
  }

  it('ICA010 knows version boundaries: *_seconds CA gauges need Istio 1.23', async () => {
    const rules = { 'a.yaml': 'groups:\n- name: g\n  rules:\n  - alert: A\n    expr: min(citadel_server_root_cert_expiry_seconds) < 1\n' };
    assert.deepEqual(lint(rules, { istioVersion: '1.22' }).ids, ['ICA010']);
    assert.deepEqual(lint(rules, { istioVersion: '1.23' }).ids, []);
  });

  it('reports every visible mistake of the seed article, each with its fix', async () => {
    const article = readFileSync(join(SCHEMAS_DIR, '..', 'seed', 'istio-mtls-custom-ca-article.md'), 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'ica-seed-'));
    [...article.matchAll(/```yaml\n([\s\S]*?)```/g)].forEach((m, i) => writeFileSync(join(dir, `block-${String(i + 1).padStart(2, '0')}.yaml`), m[1]));
    const result = lintPaths([dir]);
    const byRule = [...new Set(result.findings.map((f) => f.ruleId))].sort();
    // claims a (meshConfig.ca, pilotCertProvider), b (CERT_SIGNER, CITADEL_*), d (secretTtl, SECRET_* on istiod),
    // g (VAULT_*), i (metrics), j (ISTIO_MUTUAL + caCertificates)
    assert.deepEqual(byRule, ['ICA001', 'ICA002', 'ICA003', 'ICA004', 'ICA005', 'ICA006', 'ICA007', 'ICA008', 'ICA010']);
    // 13: the article's pilot_xds_*_reject alert uses a real (non-certificate) metric and is no longer flagged.
    assert.equal(result.findings.length, 13);
    assert.ok(result.findings.every((f) => f.fix.length > 0 && f.line !== undefined));
  });
  for (const [name, build] of EXAMPLES) {
    it(`dist/ of examples/${name} lints clean (no false alarms)`, async () => {
      const out = mkdtempSync(join(tmpdir(), `ica-lint-${name}-`));
      const app = new MeshApp({ outdir: out });
      build(app);
      app.synth();
      const result = lintPaths([out]);
      assert.ok(result.documents >= 5, `${result.documents} documents read`);
      assert.deepEqual(result.findings, []);
    });
  }

  describe('CLI', () => {
    const run = async (...args: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await main(args, (s) => { stdout += s; }, (s) => { stderr += s; });
      return { code, stdout, stderr };
    };
    const badDir = () => {
      const dir = mkdtempSync(join(tmpdir(), 'ica-cli-'));
      mkdirSync(join(dir, 'sub'));
      writeFileSync(join(dir, 'sub', 'iop.yaml'), CASES.ICA001.bad['a.yaml']);
      writeFileSync(join(dir, 'ok.json'), JSON.stringify({ meshConfig: { trustDomain: 'cluster.local' } }));
      writeFileSync(join(dir, 'notes.txt'), 'not read');
      return dir;
    };

    it('exits 1 on an error finding and prints file, line, document, path, rule, message and fix', async () => {
      const r = (await run('lint', badDir()));
      assert.equal(r.code, 1);
      assert.match(r.stdout, /sub\/iop.yaml:6 \(document 1\) spec.meshConfig.ca\n  error ICA001 mesh-config-ca: .*\n  fix: remove meshConfig.ca/);
      assert.match(r.stdout, /1 error\(s\), 0 warning\(s\), 0 note\(s\) in 2 file\(s\), 2 document\(s\) checked/);
    });

    it('exits 0 on clean input', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ica-cli-'));
      writeFileSync(join(dir, 'ok.yaml'), CASES.ICA001.good['a.yaml']);
      assert.equal((await run('lint', dir)).code, 0);
    });

    it('writes JSON and SARIF 2.1.0', async () => {
      const json = JSON.parse((await run('lint', '--format', 'json', badDir())).stdout);
      assert.equal(json.findings[0].ruleId, 'ICA001');
      assert.equal(json.findings[0].path, 'spec.meshConfig.ca');
      const sarif = JSON.parse((await run('lint', '--format', 'sarif', badDir())).stdout);
      assert.equal(sarif.version, '2.1.0');
      assert.equal(sarif.runs[0].tool.driver.name, 'istio-custom-ca');
      assert.equal(sarif.runs[0].tool.driver.rules.length, RULES.length + INPUT_RULES.length);
      assert.ok(sarif.runs[0].tool.driver.rules.every((r: any) => /^https:\/\//.test(r.helpUri)), 'every rule has a helpUri');
      assert.deepEqual(sarif.runs[0].results[0].locations[0].physicalLocation.region, { startLine: 6 });
      assert.equal(sarif.runs[0].results[0].level, 'error');
    });

    it('refuses bad arguments with exit 2', async () => {
      assert.equal((await run('lint')).code, 2);
      assert.match((await run('lint', '--format', 'xml', 'x')).stderr, /--format \(xml\) must be human, json or sarif/);
      assert.match((await run('lint', '--istio-version', '2.0', 'x')).stderr, /'--istio-version' \(2.0\) is not a supported Istio version/);
      assert.match((await run('lint', '--nope')).stderr, /unknown option --nope/);
      assert.match((await run('frobnicate')).stderr, /unknown command 'frobnicate'/);
      assert.match((await run('lint', '/does/not/exist')).stderr, /ENOENT/);
      assert.equal((await run('lint', '--rules')).code, 0);
    });

    it('the package bin runs the CLI', async () => {
      const { spawnSync } = await import('node:child_process');
      const r = spawnSync(process.execPath, [join(__dirname, '..', 'bin', 'istio-custom-ca.js'), 'lint', badDir()], { encoding: 'utf8' });
      assert.equal(r.status, 1);
      assert.match(r.stdout, /ICA001/);
    });
  });

  it('ICA029: clusters of one mesh that pin different roots, share a name, or alias only one way are reported; separate meshes and plan steps are not', () => {
    const roots = (...pems: string[]) => `  caCertificates:\n${pems.map((p) => `  - pem: ${JSON.stringify(p)}\n`).join('')}`;
    const ids = (files: Record<string, string>) => lint(files).ids.filter((id) => id === 'ICA029').length;
    const msgs = (files: Record<string, string>) => lint(files).messages.filter((m) => /of one mesh|would reject/.test(m));
    // east trusts A+B (ready for the new root), west only A: the step before any cluster may issue from B.
    const premature = { 'f/clusters/east/istiod-values.yaml': clusterValues('east', 'x.org', roots(FIXTURES.rootA, FIXTURES.rootB)),
      'f/clusters/west/istiod-values.yaml': clusterValues('west', 'x.org', roots(FIXTURES.rootA)) };
    assert.deepEqual(msgs(premature).map((m) => m.replace(/\(SHA-256 [0-9A-F:]+…\)/, '(SHA-256 …)')), [
      "clusters 'east' and 'west' of one mesh pin different roots: 'west' does not trust CN=Fixture Root B (SHA-256 …), which 'east' trusts. Workloads of one " +
        'cluster refuse certificates the other issues under a root they do not trust; during a root change every cluster trusts both roots before any issues from the new one',
    ]);
    assert.equal(ids({ ...premature, 'f/clusters/west/istiod-values.yaml': clusterValues('west', 'x.org', roots(FIXTURES.rootB, FIXTURES.rootA)) }), 0, 'same roots, other order');
    assert.match(msgs({ 'f/clusters/a/istiod-values.yaml': clusterValues('east', 'x.org'), 'f/clusters/b/istiod-values.yaml': clusterValues('east', 'x.org') })[0],
      /^contexts .*f\/clusters\/a and .*f\/clusters\/b of one mesh both name their cluster 'east' \(CLUSTER_ID\)/);
    const aliased = (other: string) => `  trustDomainAliases: [${other}]\n`;
    assert.equal(ids({ 'f/clusters/east/istiod-values.yaml': clusterValues('east', 'e.org', aliased('w.org')), 'f/clusters/west/istiod-values.yaml': clusterValues('west', 'w.org', aliased('e.org')) }), 0);
    assert.match(msgs({ 'f/clusters/east/istiod-values.yaml': clusterValues('east', 'e.org', aliased('w.org')), 'f/clusters/west/istiod-values.yaml': clusterValues('west', 'w.org') })[0],
      /use one trust domain, or add 'e.org' to west's meshConfig.trustDomainAliases$/);
    // Two steps of a fleet plan, or two meshes, are not one fleet.
    assert.equal(ids({ 's1/clusters/east/istiod-values.yaml': clusterValues('east', 'x.org', roots(FIXTURES.rootA, FIXTURES.rootB)), 's2/clusters/east/istiod-values.yaml': clusterValues('east', 'x.org', roots(FIXTURES.rootB)) }), 0);
    assert.equal(ids({ 'f/clusters/east/istiod-values.yaml': clusterValues('east', 'e.org'), 'f/clusters/west/istiod-values.yaml': clusterValues('west', 'w.org').replace('meshID: m', 'meshID: other') }), 0);
  });

  it('lints 10,000 documents (throughput is measured by npm run bench, not asserted here)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ica-lint-speed-'));
    const doc = (i: number) => `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p${i}, namespace: team-${i}}\nspec:\n  selector: {matchLabels: {app: a${i}}}\n  mtls: {mode: PERMISSIVE}\n`;
    for (let f = 0; f < 10; f++) writeFileSync(join(dir, `f${f}.yaml`), Array.from({ length: 1000 }, (_, i) => doc(f * 1000 + i)).join('---\n'));
    const result = lintPaths([dir]);
    assert.equal(result.documents, 10_000);
    assert.deepEqual(result.findings, []);
  });
});
