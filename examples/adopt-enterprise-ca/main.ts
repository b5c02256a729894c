// Writes the adoption plan: npx tsx examples/adopt-enterprise-ca/main.ts (dist/adopt-enterprise-ca/).
import { buildAdoption } from './adopt';

const plan = buildAdoption();
plan.synth();
process.stdout.write(`${plan.outdir}/: ${plan.phases.length} phase folders, preconditions.json in each, and ADOPT.md\n`);
