// Writes the fleet root rotation plan: npx tsx examples/fleet/rotation-main.ts (dist-fleet-rotation/, or $CDK8S_OUTDIR).
import { buildFleetRotation } from './rotation';

const plan = buildFleetRotation();
plan.synth();
for (const s of plan.steps) process.stdout.write(`${plan.outdir}/${s.folder}/: ${s.changes.join(', ')}\n`);
process.stdout.write(`${plan.outdir}/ROTATION.md\n`);
