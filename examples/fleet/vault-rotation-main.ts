// Writes the Vault fleet root rotation plan: npx tsx examples/fleet/vault-rotation-main.ts (dist-fleet-vault-rotation/, or $CDK8S_OUTDIR).
import { buildVaultFleetRotation } from './vault-rotation';

const plan = buildVaultFleetRotation();
plan.synth();
process.stdout.write(`${plan.outdir}/0-add-next-root/: terraform only\n`);
for (const s of plan.clusterPlan!.steps) process.stdout.write(`${plan.outdir}/${s.folder}/: terraform, ${s.changes.join(', ')}\n`);
process.stdout.write(`${plan.outdir}/ROTATION.md\n`);
