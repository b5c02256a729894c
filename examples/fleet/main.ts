// Synthesizes the fleet example: npx tsx examples/fleet/main.ts (writes dist-fleet/, or $CDK8S_OUTDIR).
import { buildFleet } from './fleet';

const fleet = buildFleet(process.env.CDK8S_OUTDIR ?? 'dist-fleet');
fleet.synth();
for (const c of fleet.clusters) process.stdout.write(`${fleet.outdir}/clusters/${c.name}/: ${c.istioCa.integration.type}\n`);
process.stdout.write(`${fleet.outdir}/terraform/mesh-fleet/, ${fleet.outdir}/NOTES.md, ${fleet.outdir}/argocd/applicationset.yaml\n`);
