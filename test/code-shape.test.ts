/** Issue 16: the shape of src/ (variants render themselves, one fact in one place, no cycles, short functions). */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';

interface Report {
  files: number;
  longFunctions: { where: string; name: string; lines: number }[];
  typeBranches: { where: string; text: string }[];
  optionReaches: { where: string; text: string }[];
  cycles: string[][];
  repeatedFacts: { fact: string; where: string }[];
  sizes: Record<string, number>;
}

const script = pathToFileURL(resolve(__dirname, '..', 'scripts', 'code-shape.mjs')).href;
const measure = async (root?: string): Promise<Report> => (await import(script)).measure(root) as Report;

describe('code shape', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'code-shape-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('src/ has no long function, type switch, option reach, import cycle or repeated fact', async () => {
    const r = await measure();
    assert.ok(r.files > 40, `measured ${r.files} files`);
    assert.deepEqual(r.longFunctions, []);
    assert.deepEqual(r.typeBranches, []);
    assert.deepEqual(r.optionReaches, []);
    assert.deepEqual(r.cycles, []);
    assert.deepEqual(r.repeatedFacts, []);
    assert.ok(r.sizes['src/k8s/istio-custom-ca.ts'] < 278, `IstioCustomCa is ${r.sizes['src/k8s/istio-custom-ca.ts']} lines (557 before Issue 16)`);
  });

  it('the measurer finds each kind of violation (so the test above can fail)', async () => {
    const write = (rel: string, text: string) => {
      mkdirSync(dirname(join(tmp, rel)), { recursive: true });
      writeFileSync(join(tmp, rel), text);
    };
    write('src/a.ts', "import { b } from './b';\nexport const a = () => b;\n");
    write('src/b.ts', "import { a } from './a';\nexport const b = () => a;\n");
    write('src/long.ts', `export function long(): number {\n${'  void 0;\n'.repeat(95)}  return 1;\n}\n`);
    write('src/branch.ts', "declare const ca: { integration: { type: string } };\ndeclare const CaIntegrationType: { ISTIO_CSR: string };\n" +
      'export const x = ca.integration.type === CaIntegrationType.ISTIO_CSR;\n' +
      'declare const i: { pluginCaOptions?: { issuer: string } };\nexport const y = i.pluginCaOptions!.issuer;\n');
    write('src/model/pki-defaults.ts', 'export const D = { a: 8760 };\n');
    write('src/copy.ts', "export const lifetime = 8760;\nexport const audience = (n: string) => `vault://${n}`;\n");
    const r = await measure(tmp);
    assert.deepEqual(r.cycles, [['src/a.ts', 'src/b.ts']]);
    assert.deepEqual(r.longFunctions.map((f) => [f.where, f.lines]), [['src/long.ts:1', 98]]);
    assert.deepEqual(r.typeBranches.map((b) => b.where), ['src/branch.ts:3']);
    assert.deepEqual(r.optionReaches.map((b) => b.where), ['src/branch.ts:5']);
    const facts = r.repeatedFacts.map((f) => `${f.fact}: ${f.where}`);
    assert.ok(facts.includes('default intermediate lifetime (8760h): src/copy.ts (1, expected 0)'), facts.join('\n'));
    assert.ok(facts.includes('vault:// audience form: src/copy.ts (1, expected 0)'), facts.join('\n'));
    assert.ok(facts.includes('vault:// audience form: src/model/cert-manager.ts (0, expected 2)'), facts.join('\n'));
  });
});
