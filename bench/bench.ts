/**
 * `npm run bench` (compiled JS): CPU time, wall time and peak RSS of the library beside bare cdk8s / cdktf doing the
 * same work. Each case runs in its own process (peak RSS is per process); a library case and its bare twin run
 * alternately (A, B, A, B, …) so that load on the machine hits both alike, and the ratio is taken pair by pair.
 * Reported: medians over BENCH_RUNS pairs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ApiObject, App, Chart, Yaml, YamlOutputType } from 'cdk8s';

const NAMESPACES = Number(process.env.BENCH_NAMESPACES ?? 1000);
const ROLES = Number(process.env.BENCH_ROLES ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const LINT_DOCS = Number(process.env.BENCH_LINT_DOCS ?? 100_000);
const MIGRATION_NAMESPACES = Number(process.env.BENCH_MIGRATION_NAMESPACES ?? 400);
/** Clusters of the large fleet; the small one has a fifth. */
const FLEET_CLUSTERS = Number(process.env.BENCH_FLEET_CLUSTERS ?? 50);
/** Only the pairs whose library case starts with one of these (e.g. BENCH_ONLY=lint,mesh); all by default. */
const ONLY = process.env.BENCH_ONLY?.split(',').filter(Boolean);

const CASES = {
  'import-lib': 'cold import of the library (cdk8s + cdktf)',
  'import-bare': 'cold import of cdk8s + cdktf + 12 Vault resources',
  'default-lib': 'examples/default (k8s + install + tf), library',
  'default-bare': 'examples/default, bare cdk8s + cdktf',
  'mesh-lib': `${NAMESPACES} namespaces, PermissivePeerAuth`,
  'mesh-bare': `${NAMESPACES} namespaces, bare ApiObject`,
  'roles-lib': `Vault backend with ${ROLES} roles, library`,
  'roles-bare': `Vault backend with ${ROLES} roles, bare cdktf`,
  'migration-all': `StrictMtlsMigration, ${MIGRATION_NAMESPACES} namespaces, every stage`,
  'migration-stage': `the same, its last stage alone`,
  'fleet-50': `MeshFleet of ${FLEET_CLUSTERS} clusters, synth`,
  'fleet-10': `MeshFleet of ${FLEET_CLUSTERS / 5} clusters, synth`,
  'lint-10k': 'lint 10,000 documents (10 files)',
  'lint-big': `lint ${LINT_DOCS} documents (${LINT_DOCS / 1000} files)`,
  'parse-big': `parse floor: yaml parseAllDocuments + toJS of the same ${LINT_DOCS}`,
  'lint-tenth': `lint ${LINT_DOCS / 10} documents (${LINT_DOCS / 10000} files)`,
  'parse-tenth': `parse floor of the same ${LINT_DOCS / 10}`,
} as const;
type Case = keyof typeof CASES;

function peerAuth(i: number) {
  return {
    apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication',
    metadata: { name: `legacy-${i}`, namespace: `team-${i}`, labels: { 'app.kubernetes.io/managed-by': 'istio-custom-ca' }, annotations: { 'istio-custom-ca.io/reason': 'bench' } },
    spec: { selector: { matchLabels: { app: `legacy-${i}` } }, mtls: { mode: 'PERMISSIVE' } },
  };
}

function vault() {
  return {
    cdktf: require('cdktf'),
    Provider: require('@cdktf/provider-vault/lib/provider').VaultProvider,
    Mount: require('@cdktf/provider-vault/lib/mount').Mount,
    RootCert: require('@cdktf/provider-vault/lib/pki-secret-backend-root-cert').PkiSecretBackendRootCert,
    Urls: require('@cdktf/provider-vault/lib/pki-secret-backend-config-urls').PkiSecretBackendConfigUrls,
    Csr: require('@cdktf/provider-vault/lib/pki-secret-backend-intermediate-cert-request').PkiSecretBackendIntermediateCertRequest,
    Sign: require('@cdktf/provider-vault/lib/pki-secret-backend-root-sign-intermediate').PkiSecretBackendRootSignIntermediate,
    SetSigned: require('@cdktf/provider-vault/lib/pki-secret-backend-intermediate-set-signed').PkiSecretBackendIntermediateSetSigned,
    Role: require('@cdktf/provider-vault/lib/pki-secret-backend-role').PkiSecretBackendRole,
    Auth: require('@cdktf/provider-vault/lib/auth-backend').AuthBackend,
    AuthConfig: require('@cdktf/provider-vault/lib/kubernetes-auth-backend-config').KubernetesAuthBackendConfig,
    AuthRole: require('@cdktf/provider-vault/lib/kubernetes-auth-backend-role').KubernetesAuthBackendRole,
    Policy: require('@cdktf/provider-vault/lib/policy').Policy,
  };
}

/** Bare cdktf: the same resources as the library's backend, written by hand, synthesized the same way. */
function bareVault(outdir: string, roles: number): void {
  const v = vault();
  const app = new v.cdktf.App({ outdir: tmpdir(), skipValidation: true });
  const s = new v.cdktf.TerraformStack(app, 'bare');
  new v.cdktf.LocalBackend(s, { path: 'terraform.tfstate' });
  new v.Provider(s, 'vault', { address: 'https://vault.example.com:8200' });
  const root = new v.Mount(s, 'root_mount', { path: 'pki', type: 'pki', maxLeaseTtlSeconds: 315360000 });
  const ca = new v.RootCert(s, 'root_ca', { backend: root.path, type: 'internal', commonName: 'Root', ttl: '87600h', keyType: 'ec', keyBits: 384 });
  new v.Urls(s, 'root_urls', { backend: root.path, issuingCertificates: ['https://vault.example.com:8200/v1/pki/ca'] });
  const paths: string[] = ['pki/root/sign-intermediate'];
  if (roles > 0) {
    const int = new v.Mount(s, 'int_mount', { path: 'pki_int', type: 'pki', maxLeaseTtlSeconds: 157680000 });
    const csr = new v.Csr(s, 'int_csr', { backend: int.path, type: 'internal', commonName: 'Int' });
    const signed = new v.Sign(s, 'int_signed', { backend: root.path, csr: csr.csr, commonName: 'Int', ttl: '43800h' });
    new v.SetSigned(s, 'int_set', { backend: int.path, certificate: `${signed.certificate}\n${ca.certificate}` });
    paths.length = 0;
    for (let i = 0; i < roles; i++) {
      new v.Role(s, `role_${i}`, { backend: int.path, name: `role-${i}`, allowedUriSans: ['spiffe://mesh.example.com/*'], requireCn: false, maxTtl: '24h', serverFlag: true, clientFlag: true, noStore: true });
      paths.push(`pki_int/sign/role-${i}`);
    }
  }
  const policy = new v.Policy(s, 'policy', { name: 'p', policy: paths.map((p) => `path "${p}" {\n  capabilities = ["create", "update"]\n}\n`).join('\n') });
  const auth = new v.Auth(s, 'auth', { type: 'kubernetes', path: 'kubernetes' });
  new v.AuthConfig(s, 'auth_config', { backend: auth.path, kubernetesHost: 'https://k8s:6443' });
  new v.AuthRole(s, 'auth_role', { backend: auth.path, roleName: 'r', boundServiceAccountNames: ['vault-issuer'], boundServiceAccountNamespaces: ['cert-manager'], tokenPolicies: [policy.name] });
  s.prepareStack();
  s.runAllValidations();
  mkdirSync(join(outdir, 'terraform'), { recursive: true });
  writeFileSync(join(outdir, 'terraform', 'cdk.tf.json'), JSON.stringify(s.toTerraform(), undefined, 2));
}

/** What the default example writes besides Terraform: its manifests' objects, and each install/alerts file. */
interface Fixture {
  readonly manifests: any[];
  readonly files: { readonly path: string; readonly docs?: unknown[]; readonly text?: string }[];
}

/** Synthesizes the default example with the library and records its output as a fixture for the bare twin. */
function writeFixture(path: string): void {
  const lib = require('../src');
  const { buildDefaultMesh } = require('../examples/default/mesh');
  const outdir = mkdtempSync(join(tmpdir(), 'ica-bench-fixture-'));
  const app = new lib.MeshApp({ outdir });
  buildDefaultMesh(app);
  app.synth();
  const files: Fixture['files'] = [];
  for (const folder of ['install', 'alerts']) {
    for (const name of readdirSync(join(outdir, folder)).sort()) {
      const text = readFileSync(join(outdir, folder, name), 'utf8');
      files.push(name.endsWith('.yaml') ? { path: `${folder}/${name}`, docs: Yaml.load(join(outdir, folder, name)) } : { path: `${folder}/${name}`, text });
    }
  }
  const manifests = Yaml.load(join(outdir, 'manifests', readdirSync(join(outdir, 'manifests'))[0]));
  writeFileSync(path, JSON.stringify({ manifests, files }));
  rmSync(outdir, { recursive: true, force: true });
}

/** A mix of the documents the rules read: PeerAuthentications, Certificates with issuers, istiod values. */
function lintDoc(i: number): string {
  switch (i % 4) {
    case 0: return `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p${i}, namespace: team-${i}}\nspec:\n  selector: {matchLabels: {app: a${i}}}\n  mtls: {mode: PERMISSIVE}\n`;
    case 1: return `apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: c${i}, namespace: team-${i % 50}}\nspec: {secretName: c${i}, duration: 48h, renewBefore: 24h, issuerRef: {name: ca}}\n`;
    case 2: return `apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata: {name: ca, namespace: team-${i % 50}}\nspec: {ca: {secretName: root}}\n`;
    default: return `apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: {name: i${i}}\nspec:\n  meshConfig:\n    trustDomain: mesh.example.com\n    defaultConfig:\n      proxyMetadata: {SECRET_TTL: 12h}\n`;
  }
}

/** A point in time: wall clock and this process' CPU usage. */
interface Mark { readonly t: bigint; readonly cpu: NodeJS.CpuUsage }
function mark(): Mark {
  return { t: process.hrtime.bigint(), cpu: process.cpuUsage() };
}
/** Wall and CPU (user + system) milliseconds since `m`. */
interface Took { readonly ms: number; readonly cpuMs: number }
function since(m: Mark): Took {
  const cpu = process.cpuUsage(m.cpu);
  return { ms: Number(process.hrtime.bigint() - m.t) / 1e6, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** Runs one case in this process and returns its time in ms (loading code is timed only by the import cases). */
function runCase(c: Case, outdir: string): Took {
  if (c === 'import-lib') {
    const t = mark();
    require('../src');
    require('../src/vault');
    return since(t);
  }
  if (c === 'import-bare') {
    const t = mark();
    require('cdk8s');
    vault();
    return since(t);
  }
  const lib = require('../src');
  const { buildDefaultMesh } = require('../examples/default/mesh');
  vault();
  const start = mark();
  switch (c) {
    case 'default-lib': {
      const app = new lib.MeshApp({ outdir });
      buildDefaultMesh(app);
      app.synth();
      return since(start);
    }
    case 'default-bare': {
      // The same files as plain cdk8s and cdktf: cluster objects as ApiObjects, install and alert files as YAML
      // written with cdk8s' Yaml, and the same Vault resources written by hand. The objects come from a fixture
      // the library wrote in another process, so that none of the library's code warms the JIT for this run.
      const fixture: Fixture = JSON.parse(readFileSync(process.env.BENCH_FIXTURE!, 'utf8'));
      const t0 = mark();
      const app = new App({ outdir: join(outdir, 'manifests'), yamlOutputType: YamlOutputType.FILE_PER_CHART });
      const chart = new Chart(app, 'istio-custom-ca');
      fixture.manifests.forEach((o, i) => new ApiObject(chart, `o${i}`, o));
      app.synth();
      for (const f of fixture.files) {
        mkdirSync(join(outdir, dirname(f.path)), { recursive: true });
        writeFileSync(join(outdir, f.path), f.docs ? Yaml.stringify(...f.docs) : f.text!);
      }
      bareVault(outdir, 0);
      writeFileSync(join(outdir, 'terraform', '.gitignore'), '.terraform/\n*.tfstate\n*.tfstate.*\n');
      return since(t0);
    }
    case 'mesh-lib': {
      const app = new lib.MeshApp({ outdir });
      const chart = new Chart(app, 'mesh');
      for (let i = 0; i < NAMESPACES; i++) {
        new lib.PermissivePeerAuth(chart, `legacy-${i}`, { namespace: `team-${i}`, selector: { app: `legacy-${i}` }, reason: 'bench' });
      }
      app.synth();
      return since(start);
    }
    case 'mesh-bare': {
      const app = new App({ outdir: join(outdir, 'manifests'), yamlOutputType: YamlOutputType.FILE_PER_CHART });
      const chart = new Chart(app, 'mesh');
      for (let i = 0; i < NAMESPACES; i++) new ApiObject(chart, `legacy-${i}`, peerAuth(i));
      app.synth();
      return since(start);
    }
    case 'roles-lib': {
      const app = new lib.MeshApp({ outdir });
      const vaultLib = require('../src/vault');
      const pki = new vaultLib.MeshPki(app, 'roles', {
        route: vaultLib.VaultPkiRoute.LEAVES_FOR_ISTIO_CSR, vaultAddress: 'https://vault.example.com:8200',
        kubernetesHost: 'https://k8s:6443', trustDomain: 'mesh.example.com',
      });
      for (let i = 1; i < ROLES; i++) pki.backend.addLeafRole(`role-${i}`);
      app.synth();
      return since(start);
    }
    case 'migration-all':
    case 'migration-stage': {
      const m = new lib.StrictMtlsMigration({ namespaces: Array.from({ length: MIGRATION_NAMESPACES }, (_, i) => `team-${i}`), outdir });
      if (c === 'migration-all') m.synth();
      else m.stageApp(m.stages.length - 1).synth();
      return since(start);
    }
    case 'fleet-50':
    case 'fleet-10': {
      const { MeshFleet, VaultPkiRoute } = require('../src/vault');
      const n = c === 'fleet-50' ? FLEET_CLUSTERS : FLEET_CLUSTERS / 5;
      new MeshFleet({
        outdir, vaultAddress: 'https://vault.example.com:8200', trustDomain: 'mesh.example.com',
        clusters: Array.from({ length: n }, (_, i) => ({
          name: `cluster-${i}`, route: i % 2 ? VaultPkiRoute.LEAVES_FOR_ISTIO_CSR : VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD,
          kubernetesHost: `https://cluster-${i}.example.com:6443`, network: `net-${i % 3}`,
        })),
      }).synth();
      return since(start);
    }
    case 'roles-bare':
      bareVault(outdir, ROLES);
      return since(start);
    case 'lint-big':
    case 'parse-big':
    case 'lint-tenth':
    case 'parse-tenth': {
      const docs = c.endsWith('tenth') ? LINT_DOCS / 10 : LINT_DOCS;
      for (let f = 0; f < docs / 1000; f++) writeFileSync(join(outdir, `f${f}.yaml`), Array.from({ length: 1000 }, (_, i) => lintDoc(f * 1000 + i)).join('---\n'));
      const t0 = mark();
      if (c.startsWith('lint')) {
        const result = require('../src/lint/lint').lintPaths([outdir]);
        if (result.documents !== docs) throw new Error(`lint read ${result.documents} documents`);
      } else {
        const { parseAllDocuments } = require('yaml');
        let n = 0;
        for (const f of readdirSync(outdir).sort()) for (const d of parseAllDocuments(readFileSync(join(outdir, f), 'utf8'))) { d.toJS(); n++; }
        if (n !== docs) throw new Error(`parsed ${n} documents`);
      }
      return since(t0);
    }
    case 'lint-10k': {
      const { lintPaths } = require('../src/lint/lint');
      const doc = (i: number) => `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p${i}, namespace: team-${i}}\n` +
        `spec:\n  selector: {matchLabels: {app: a${i}}}\n  mtls: {mode: PERMISSIVE}\n`;
      for (let f = 0; f < 10; f++) writeFileSync(join(outdir, `f${f}.yaml`), Array.from({ length: 1000 }, (_, i) => doc(f * 1000 + i)).join('---\n'));
      const t0 = mark();
      const result = lintPaths([outdir]);
      if (result.documents !== 10_000) throw new Error(`lint read ${result.documents} documents`);
      return since(t0);
    }
  }
  throw new Error(`unknown case ${c}`);
}

interface Sample extends Took { readonly rssMb: number }

function child(c: Case): Sample {
  const out = execFileSync(process.execPath, [__filename, '--case', c], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Library case, its bare twin, and the targets for the CPU and peak RSS ratios (undefined: reported only). */
const PAIRS: readonly [Case, Case, string, number | undefined, number?][] = [
  ['import-lib', 'import-bare', 'import', undefined],
  ['default-lib', 'default-bare', 'examples/default', 1.25],
  ['mesh-lib', 'mesh-bare', `${NAMESPACES} namespaces`, 1.2],
  ['roles-lib', 'roles-bare', `${ROLES} Vault roles`, undefined],
  // Stages are built and written one at a time: the whole plan's memory stays that of one stage.
  ['migration-all', 'migration-stage', `migration of ${MIGRATION_NAMESPACES} namespaces / one stage`, undefined, 1.2],
  // Not library / bare: the same fleet at five times the clusters, whose CPU ratio is 5.0 when synth is linear.
  ['fleet-50', 'fleet-10', `fleet of ${FLEET_CLUSTERS} / ${FLEET_CLUSTERS / 5} clusters (linear: 5.0x)`, undefined],
  ['lint-tenth', 'parse-tenth', `lint ${LINT_DOCS / 10} documents / parse floor`, 1.3],
  ['lint-big', 'parse-big', `lint ${LINT_DOCS} documents / parse floor`, 1.3],
];

if (process.argv[2] === '--fixture') {
  writeFixture(process.argv[3]);
} else if (process.argv[2] === '--case') {
  const outdir = mkdtempSync(join(tmpdir(), 'ica-bench-'));
  const took = runCase(process.argv[3] as Case, outdir);
  rmSync(outdir, { recursive: true, force: true });
  console.log(JSON.stringify({ ...took, rssMb: process.resourceUsage().maxRSS / 1024 }));
} else {
  const fixture = join(mkdtempSync(join(tmpdir(), 'ica-bench-')), 'default.json');
  execFileSync(process.execPath, [__filename, '--fixture', fixture]);
  process.env.BENCH_FIXTURE = fixture;
  const fmt = (n: number) => n.toFixed(1).padStart(9);
  console.log(`istio-custom-ca bench: ${RUNS} alternating pairs of processes, medians, node ${process.version}`);
  console.log(`${'case'.padEnd(50)}   CPU ms   wall ms  peak RSS MB`);
  const row = (c: Case, xs: Sample[]) => console.log(`${CASES[c].padEnd(50)}${fmt(median(xs.map((x) => x.cpuMs)))}${fmt(median(xs.map((x) => x.ms)))}${fmt(median(xs.map((x) => x.rssMb)))}`);
  const ratios: string[] = [];
  const medians = new Map<Case, Sample[]>();
  for (const [a, b, label, target, rssTarget] of PAIRS) {
    if (ONLY && !ONLY.some((o) => a.startsWith(o))) continue;
    const as: Sample[] = [];
    const bs: Sample[] = [];
    for (let i = 0; i < RUNS; i++) { as.push(child(a)); bs.push(child(b)); }
    medians.set(a, as);
    medians.set(b, bs);
    row(a, as);
    row(b, bs);
    const cpu = median(as.map((x, i) => x.cpuMs / bs[i].cpuMs));
    const rss = median(as.map((x, i) => x.rssMb / bs[i].rssMb));
    ratios.push(`ratio ${label}${a.startsWith('fleet') ? '' : ', library / bare'}:`.padEnd(45) + `CPU ${cpu.toFixed(2)}x, peak RSS ${rss.toFixed(2)}x` +
      (target ? ` (target: CPU at most ${target.toFixed(2)}x${cpu <= target ? ', met' : ', NOT met'})` : '') +
      (rssTarget ? ` (target: peak RSS at most ${rssTarget.toFixed(2)}x${rss <= rssTarget ? ', met' : ', NOT met'})` : ''));
  }
  for (const r of ratios) console.log(r);
  // Linear growth: ten times the documents should take about ten times the CPU, and no more memory than the index needs.
  const cpu = (c: Case) => median(medians.get(c)!.map((x) => x.cpuMs));
  const rss = (c: Case) => median(medians.get(c)!.map((x) => x.rssMb));
  if (medians.has('fleet-50')) {
    const n = FLEET_CLUSTERS;
    console.log(`fleet growth, ${n / 5} -> ${n} clusters:`.padEnd(45) + `${(cpu('fleet-10') / (n / 5)).toFixed(1)} -> ${(cpu('fleet-50') / n).toFixed(1)} ` +
      `CPU ms/cluster, each added cluster ${((cpu('fleet-50') - cpu('fleet-10')) / (n - n / 5)).toFixed(1)} ms`);
  }
  if (medians.has('lint-big') && medians.has('lint-tenth')) {
    console.log(`lint growth, ${LINT_DOCS / 10} -> ${LINT_DOCS} documents:`.padEnd(45) +
    `CPU x${(cpu('lint-big') / cpu('lint-tenth')).toFixed(1)} (parse floor x${(cpu('parse-big') / cpu('parse-tenth')).toFixed(1)}), ` +
    `${(1000 * cpu('lint-tenth') / (LINT_DOCS / 10)).toFixed(1)} -> ${(1000 * cpu('lint-big') / LINT_DOCS).toFixed(1)} us/document, ` +
    `peak RSS ${rss('lint-tenth').toFixed(0)} -> ${rss('lint-big').toFixed(0)} MB (parse floor ${rss('parse-tenth').toFixed(0)} -> ${rss('parse-big').toFixed(0)} MB)`);
    const lint = Array.from({ length: RUNS }, () => child('lint-10k'));
    row('lint-10k', lint);
    console.log(`lint throughput:`.padEnd(45) + `${Math.round(10_000 / (median(lint.map((x) => x.ms)) / 1000))} documents/s`);
  }
}
