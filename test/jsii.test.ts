/**
 * Issue 12 item 7: the public API compiles with jsii (no unions, no unexported types, no reserved words beyond the
 * ones cdk8s itself uses). jsii compiles a copy of src/ with the package's dependencies; publishing the Python or Java
 * packages is not part of this check.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';

const ROOT = resolve(__dirname, '..');
/** Names cdk8s' own jsii API uses too (`metadata.namespace`, `type`); jsii escapes them in C# and Go. */
const ALLOWED_RESERVED = new Set(['namespace', 'type']);

describe('jsii', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jsii-check-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('compiles the public API into a jsii assembly', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    cpSync(join(ROOT, 'src'), join(dir, 'src'), { recursive: true });
    cpSync(join(ROOT, 'README.md'), join(dir, 'README.md'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    // jsii requires author and repository; the package has no public repository yet, so the check copy names a placeholder.
    writeFileSync(join(dir, 'package.json'), JSON.stringify({
      name: pkg.name, version: pkg.version, description: pkg.description, license: pkg.license,
      author: { name: 'istio-custom-ca jsii check', url: 'https://example.invalid' },
      repository: { type: 'git', url: 'https://example.invalid/istio-custom-ca.git' },
      main: 'lib/index.js', types: 'lib/index.d.ts',
      peerDependencies: pkg.peerDependencies,
      devDependencies: Object.fromEntries(Object.keys(pkg.peerDependencies).map((k) => [k, pkg.devDependencies[k]])),
      dependencies: pkg.dependencies,
      bundledDependencies: Object.keys(pkg.dependencies),
      jsii: { outdir: 'dist', targets: {}, tsc: { outDir: 'lib', rootDir: 'src' } },
    }, undefined, 2));
    const run = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'jsii', 'bin', 'jsii')], {
      cwd: dir, encoding: 'utf8', env: { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '1' }, timeout: 600_000,
    });
    const out = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.status, 0, out.split('\n').filter((l) => /error|Error/.test(l)).join('\n'));
    // Generated L1s keep the upstream schema's field names (e.g. `from`); the library's own API must not add any.
    const reserved = [...out.matchAll(/^(src\/[^:]+):\d+:\d+ - warning JSII5018: "([^"]+)" is a reserved word/gm)]
      .filter((m) => !m[1].startsWith('src/imports/')).map((m) => m[2]);
    assert.ok(reserved.includes('namespace'), 'the reserved-word warnings were read');
    assert.deepEqual([...new Set(reserved)].filter((w) => !ALLOWED_RESERVED.has(w)), []);
    const assembly = JSON.parse(readFileSync(join(dir, '.jsii'), 'utf8'));
    for (const t of ['istio-custom-ca.IstioCustomCa', 'istio-custom-ca.CaIntegration', 'istio-custom-ca.IRotationPhaseBuilder', 'istio-custom-ca.CertAlertRules']) {
      assert.ok(assembly.types[t], `${t} in the assembly`);
    }
    assert.ok(Object.keys(assembly.types).length > 90, `${Object.keys(assembly.types).length} types`);
  });
});
