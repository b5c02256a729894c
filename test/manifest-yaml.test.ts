/**
 * manifestYaml writes most documents itself (bench: synth CPU) and must stay byte for byte what cdk8s Yaml.stringify
 * writes: compared on random documents built from the scalars that decide quoting, on every example's output, and on
 * the shapes it must leave to the yaml package.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Yaml } from 'cdk8s';
import fc from 'fast-check';
import { directYaml, manifestYaml } from '../src/k8s/manifest-yaml';

const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261124);

/** Strings near every quoting rule: YAML 1.1 types, indicators, `: `, ` #`, edges, markers, long keys. */
const tricky = fc.constantFrom(
  '', 'y', 'Yes', 'NO', 'on', 'Off', 'null', '~', 'e1', 'E5', '1m', '61m', '0x60', '0+1x60', '0755', '0b1', '1_000', '+1', '.5',
  '1.', '.inf', '1:20', '190:20:30.15', '2001-12-14', '2001-12-14 21:59:43.10 -5', '<<', '---', '...', '--x', '-', '?', '- a',
  '-a', '? a', '?a', 'a: b', 'a:b', 'a:', 'a #b', 'a#b', '#a', ' a', 'a ', 'a  b', '@a', 'a@b', '%a', '`a', 'a,b', '[a', '{a}',
  'a\nb', 'a\tb', 'é', 'x'.repeat(1100), 'app.kubernetes.io/name', 'min(x) < 3888000', 'a{b="c"}', "it's", 'a "b"',
);
const plainish = fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9._/@ -]{0,10}$/);
const anyChars = fc.string({ unit: fc.constantFrom(...'aZ09._/@- :#,[]{}"\'!|>%`?&*+~<=$\\\te'.split('')), maxLength: 8 });
const word = fc.oneof({ arbitrary: plainish, weight: 12 }, { arbitrary: tricky, weight: 1 }, { arbitrary: anyChars, weight: 1 });
const scalar = fc.oneof(
  { arbitrary: word, weight: 6 }, { arbitrary: fc.integer({ min: -5000, max: 5000 }), weight: 2 }, fc.boolean(), fc.constant(null),
  { arbitrary: fc.oneof(fc.double(), fc.constant(-0)), weight: 1 },
);
const value = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(word, tie('v'), { maxKeys: 3 })),
})).v;
const doc = fc.dictionary(word, value, { minKeys: 1, maxKeys: 4 });

describe('manifestYaml is byte for byte cdk8s Yaml.stringify', () => {
  it(`random documents (${RUNS} runs, seed ${SEED}), and most plain ones are written directly`, () => {
    let direct = 0;
    fc.assert(fc.property(fc.array(doc, { minLength: 1, maxLength: 3 }), (docs) => {
      assert.equal(manifestYaml(...docs), Yaml.stringify(...docs));
      if (docs.every((d) => directYaml(d) !== undefined)) direct++;
    }), { numRuns: RUNS, seed: SEED });
    // The comparison must also cover the direct path, not only the fallback.
    process.stdout.write(`manifestYaml: ${direct} of ${RUNS} random runs written directly\n`);
    assert.ok(direct > RUNS / 20, `only ${direct} of ${RUNS} runs took the direct path`);
  });

  it('writes manifest shapes directly: nested maps, lists of maps, empty collections, strings in double quotes', () => {
    const d = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', labels: { 'app.kubernetes.io/name': 'x' }, annotations: {} },
      data: { ratio: '0.5', empty: '', yes: 'no', 'docs#x': 'a #b' },
      spec: { replicas: 2, template: { spec: { containers: [{ name: 'c', args: ['--a', '1m'], ports: [{ containerPort: 15012 }], env: [] }] } } },
    };
    assert.equal(directYaml(d), Yaml.stringify(d));
  });

  it('leaves to the yaml package what it writes differently: shared objects, floats, lists in lists, strings in single quotes, escapes or blocks', () => {
    const shared = { a: 'b' };
    const [emptyMap, emptyList] = [{}, []];
    for (const d of [{ x: shared, y: shared }, { x: emptyMap, y: emptyMap }, { x: [emptyList], y: emptyList }, { x: 1.5 }, { x: [[1]] }, { x: 'a "b" c: d' }, { x: 'a: \\b' }, { x: 'a\nb' }, { x: new Date(0) }, { x: undefined }]) {
      assert.equal(directYaml(d), undefined, JSON.stringify(d));
      assert.equal(manifestYaml(d), Yaml.stringify(d));
    }
    assert.equal(manifestYaml(undefined, { a: 1 }), Yaml.stringify(undefined, { a: 1 }));
  });
});
