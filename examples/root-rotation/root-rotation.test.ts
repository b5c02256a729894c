import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { lintPaths } from '../../src/lint/lint';
import { matchSnapshot, validateAll } from '../../test/support';
import { buildRootRotation } from './rotation';

describe('examples/root-rotation', () => {
  it('writes three valid, lint-clean phase folders and ROTATION.md', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ica-rr-'));
    const rotation = buildRootRotation(out);
    rotation.synth();
    assert.deepEqual(rotation.phases.map((p) => p.folder), ['1-trust-both', '2-issue-from-new', '3-drop-old']);
    for (const app of rotation.apps) await validateAll(app.charts[0].toJson());
    assert.deepEqual(lintPaths([out]).findings, []);
    matchSnapshot('ROTATION', readFileSync(join(out, 'ROTATION.md'), 'utf8'), join(__dirname, '__snapshots__'));
  });
});
