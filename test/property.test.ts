/**
 * The property test of Issue 11 in `npm test` (a few hundred runs per construct); `npm run fuzz` runs 10,000 per
 * construct (FUZZ_RUNS) and prints the table. Unclear errors and silent acceptances must both be zero.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { fuzzTarget, Tally, TARGETS } from './property';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const table: [string, Tally][] = [];

describe(`property test: ${RUNS} generated prop sets per construct (seed ${SEED})`, () => {
  after(() => {
    const rows = table.map(([n, t]) => `| ${n} | ${t.runs} | ${t.clearErrors} | ${t.accepted} | ${t.unclearErrors.length} | ${t.silentAcceptances.length} |`);
    process.stdout.write(['# | construct | runs | clear errors | accepted, valid | unclear errors | silent acceptances |', ...rows.map((r) => `# ${r}`)].join('\n') + '\n');
  });
  const only = process.env.FUZZ_TARGETS?.split(',');
  for (const t of TARGETS.filter((x) => !only || only.includes(x.name))) {
    it(`${t.name}: every input is refused with a clear error or yields valid output`, async () => {
      const tally = await fuzzTarget(t, RUNS, SEED);
      table.push([t.name, tally]);
      assert.deepEqual(tally.unclearErrors.slice(0, 5), [], `${tally.unclearErrors.length} unclear errors`);
      assert.deepEqual(tally.silentAcceptances.slice(0, 5), [], `${tally.silentAcceptances.length} silent acceptances`);
      assert.equal(tally.runs, RUNS);
    });
  }
});
