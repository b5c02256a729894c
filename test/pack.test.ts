/**
 * The packed tarball, installed into a separate consumer project from the npm registry with the oldest and the newest
 * peer versions the package claims: the README's TypeScript quick starts compile under strict TypeScript and
 * synthesize, and the package loads from CommonJS and ESM (Issue 12 item 1). The same from a git URL, which builds lib/ in
 * `prepare`.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';

const ROOT = resolve(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** Peer sets: the lowest versions the caret ranges allow, and the versions the tests pin (the newest we run). */
const PEERS = {
  oldest: { cdk8s: '2.70.0', constructs: '10.4.2', 'cdk8s-plus-27': '2.9.0', cdktf: '0.21.0', '@cdktf/provider-vault': '15.0.0' },
  // and the optional HCL converter the linter uses when it is installed (not a peer: it is no jsii module)
  newest: Object.fromEntries([...Object.keys(pkg.peerDependencies), '@cdktf/hcl2json'].map((p) => [p, pkg.devDependencies[p]])),
} as const;

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false' } });
  } catch (e: any) {
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`);
  }
}

/** The ```ts blocks of the README that import the package (the quick starts). */
function quickStarts(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => b.includes("from 'istio-custom-ca'") && b.includes('app.synth()'));
}

describe('packed tarball in a consumer project', () => {
  let tarball = '';
  before(() => {
    const dir = mkdtempSync(join(tmpdir(), 'ica-pack-'));
    const name = run('npm', ['pack', '--pack-destination', dir, '--silent'], ROOT).trim().split('\n').pop()!;
    tarball = join(dir, name);
  });

  it('ships lib/, the docs and the CLI, and no tests, sources of examples or shared data', () => {
    const files = run('tar', ['-tzf', tarball], ROOT).split('\n').filter(Boolean);
    for (const f of ['package/lib/src/index.js', 'package/lib/src/index.d.ts', 'package/lib/src/vault/index.js', 'package/README.md',
      'package/CHANGELOG.md', 'package/docs/alerts.md', 'package/bin/istio-custom-ca.js']) assert.ok(files.includes(f), f);
    assert.deepEqual(files.filter((f) => /\/(test|examples|drill|bench)\/|\.test\.|shared\//.test(f)), []);
  });

  for (const [label, peers] of Object.entries(PEERS)) {
    it(`${label} peers (${Object.entries(peers).map(([k, v]) => `${k}@${v}`).join(', ')}): README quick starts compile strictly and synthesize; CJS and ESM load`, () => {
      checkConsumer(label, tarball, peers);
    });
  }
});

describe('git dependency', () => {
  it('npm install git+file://… runs prepare, builds lib/, and the quick starts synthesize (newest peers)', () => {
    // A repository holding exactly this working tree (tracked and new files), as a user's git URL would point at.
    const repo = mkdtempSync(join(tmpdir(), 'ica-git-'));
    const files = run('git', ['ls-files', '-co', '--exclude-standard', '-z'], ROOT).split('\0').filter((f) => f && existsSync(join(ROOT, f)));
    for (const f of files) {
      mkdirSync(dirname(join(repo, f)), { recursive: true });
      copyFileSync(join(ROOT, f), join(repo, f));
    }
    assert.ok(!existsSync(join(repo, 'lib')), 'the repository carries no build output');
    run('git', ['init', '-q'], repo);
    run('git', ['add', '-A'], repo);
    run('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', 'commit', '-q', '-m', 'snapshot'], repo);
    checkConsumer('git', `git+file://${repo}`, PEERS.newest);
  });
});

/** A fresh consumer project installs `spec` with `peers`; the README quick starts compile strictly and synthesize; CJS and ESM load. */
function checkConsumer(label: string, spec: string, peers: Record<string, string>): void {
  const dir = mkdtempSync(join(tmpdir(), `ica-consumer-${label}-`));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', spec, ...Object.entries(peers).map(([k, v]) => `${k}@${v}`),
    `typescript@${pkg.devDependencies.typescript}`, `@types/node@${pkg.devDependencies['@types/node']}`], dir);
  assert.ok(existsSync(join(dir, 'node_modules', 'istio-custom-ca', 'lib', 'src', 'index.js')), 'the installed package has lib/');
  const blocks = quickStarts();
  assert.equal(blocks.length, 2, 'the README has two TypeScript quick starts');
  mkdirSync(join(dir, 'src'));
  blocks.forEach((b, i) => writeFileSync(join(dir, 'src', `quickstart${i}.ts`), b));
  run(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '--strict', '--noUnusedLocals', '--module', 'commonjs',
    '--target', 'es2022', '--esModuleInterop', '--skipLibCheck', '--outDir', 'out', ...blocks.map((_, i) => `src/quickstart${i}.ts`)], dir);
  for (let i = 0; i < blocks.length; i++) {
    const out = join(dir, `dist${i}`);
    execFileSync(process.execPath, [join(dir, 'out', `quickstart${i}.js`)], { cwd: dir, env: { ...process.env, CDK8S_OUTDIR: out } });
    assert.ok(existsSync(join(out, 'install', 'istio-operator.yaml')), `quick start ${i} wrote its install config`);
  }
  writeFileSync(join(dir, 'check.cjs'), "const ica = require('istio-custom-ca');\n" +
    "if (typeof ica.IstioCustomCa !== 'function') throw new Error('no IstioCustomCa');\n" +
    "if (Object.keys(require.cache).some((f) => f.includes('/node_modules/cdktf/'))) throw new Error('the root entry loaded cdktf');\n" +
    "if (typeof require('istio-custom-ca/vault').MeshPki !== 'function') throw new Error('no MeshPki');\n");
  writeFileSync(join(dir, 'check.mjs'), "import { IstioCustomCa, MeshApp } from 'istio-custom-ca';\nimport { MeshPki } from 'istio-custom-ca/vault';\n" +
    "if (typeof IstioCustomCa !== 'function' || typeof MeshApp !== 'function' || typeof MeshPki !== 'function') throw new Error('ESM exports');\n");
  run(process.execPath, ['check.cjs'], dir);
  run(process.execPath, ['check.mjs'], dir);
  // The CLI: installed as a bin, it lints what a quick start wrote, and Terraform HCL only with the optional converter.
  mkdirSync(join(dir, 'tf'));
  writeFileSync(join(dir, 'tf', 'istiod.tf'), 'resource "helm_release" "istiod" {\n  chart  = "istiod"\n  values = [<<-EOT\n    meshConfig:\n      defaultConfig:\n' +
    '        proxyMetadata: {SECRET_GRACE_PERIOD: 6h}\n    EOT\n  ]\n}\n');
  const lint = spawnSync(join(dir, 'node_modules', '.bin', 'istio-custom-ca'), ['lint', '--format', 'json', 'dist0', 'tf'], { cwd: dir, encoding: 'utf8' });
  const ids = (JSON.parse(lint.stdout).findings as { ruleId: string }[]).map((f) => f.ruleId);
  assert.deepEqual(ids, '@cdktf/hcl2json' in peers ? ['ICA021'] : ['ICA903'], `lint findings (${lint.stderr})`);
  assert.equal(lint.status, '@cdktf/hcl2json' in peers ? 1 : 0);
}
