/** The package's shape as consumers see it (Issue 12 item 1, partly): a Vault-free program never loads cdktf. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';

const ROOT = resolve(__dirname, '..');
const loader = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/** Modules loaded by a fresh process after `require(entry)`, as package names. */
function loadedPackages(entry: string): Set<string> {
  const code = `require(${JSON.stringify(entry)}); console.log(JSON.stringify(Object.keys(require.cache)))`;
  const out = execFileSync(process.execPath, ['--import', loader, '-e', code], { cwd: ROOT, encoding: 'utf8' });
  const files: string[] = JSON.parse(out.trim().split('\n').pop()!);
  return new Set(files.map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]).filter((x): x is string => x !== undefined));
}

describe('package', () => {
  it('docs/API.md is generated from the current public API', () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'api-docs.mjs'), '--check'], { cwd: ROOT, stdio: 'pipe' });
  });

  it('the root entry never loads cdktf or the Vault provider; the vault entry does', () => {
    const root = loadedPackages('./src');
    assert.ok(root.has('cdk8s'));
    assert.ok(!root.has('cdktf'), 'cdktf loaded by the root entry');
    assert.ok(!root.has('@cdktf/provider-vault'), 'the Vault provider loaded by the root entry');
    const vault = loadedPackages('./src/vault');
    assert.ok(vault.has('cdktf') && vault.has('@cdktf/provider-vault'));
  });

  it('declares cdk8s, constructs and cdk8s-plus as peers, cdktf and the Vault provider as optional peers, and a vault subpath', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const p of ['cdk8s', 'constructs', 'cdk8s-plus-27', 'cdktf', '@cdktf/provider-vault']) {
      assert.match(pkg.peerDependencies[p], /^\^/, `${p} is a caret-range peer`);
      assert.ok(pkg.devDependencies[p] && !/[\^~]/.test(pkg.devDependencies[p]), `${p} is pinned exactly for the tests`);
      assert.equal(pkg.dependencies[p], undefined, `${p} is not a dependency`);
    }
    assert.deepEqual([pkg.peerDependenciesMeta.cdktf.optional, pkg.peerDependenciesMeta['@cdktf/provider-vault'].optional], [true, true]);
    assert.deepEqual(Object.keys(pkg.exports), ['.', './vault', './package.json']);
    assert.equal(pkg.scripts.prepare, 'tsc -p tsconfig.json', 'a git dependency builds lib/');
  });
});
