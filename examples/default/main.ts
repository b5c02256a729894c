// Synthesizes the default example: `npm run synth` or `npx cdk8s synth`
// (dist/manifests, dist/install, dist/alerts, dist/terraform, and its staged root rotation plan in dist/rotation).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MeshApp, OUTPUT_RECORD } from '../../src';
import { buildDefaultMesh } from './mesh';
import { buildDefaultRotation } from './rotation';

const app = new MeshApp();
buildDefaultMesh(app);
app.synth();
const files: string[] = JSON.parse(readFileSync(join(app.rootOutdir, OUTPUT_RECORD), 'utf8')).files;
const rotation = buildDefaultRotation();
rotation.synth();

// Say what was written, one line per folder (cdk8s synth shows this output too).
const byFolder = new Map<string, number>();
for (const f of files) byFolder.set(f.split('/')[0], (byFolder.get(f.split('/')[0]) ?? 0) + 1);
for (const [folder, n] of [...byFolder].sort()) process.stdout.write(`${app.rootOutdir}/${folder}/: ${n} file${n === 1 ? '' : 's'}\n`);
process.stdout.write(`${rotation.outdir}/: ${rotation.apps.length} phase folders and ROTATION.md\n`);
