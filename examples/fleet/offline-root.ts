// A fleet on an offline root (no Vault): npx tsx examples/fleet/offline-root.ts (writes dist-fleet-offline/, or $CDK8S_OUTDIR).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterFleet, FleetIntegration, FleetRoot } from '../../src';

/** The offline root's public certificate; a public stand-in here, use your root's. */
const ROOT_PEM = readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'root-a.pem'), 'utf8');

export function buildOfflineFleet(outdir = process.env.CDK8S_OUTDIR ?? 'dist-fleet-offline'): ClusterFleet {
  return new ClusterFleet({
    root: FleetRoot.offline({ rootPem: ROOT_PEM }),
    outdir,
    trustDomain: 'mesh.example.com',
    clusters: [
      { name: 'east', network: 'network-a' },
      { name: 'west', integration: FleetIntegration.ISTIO_CSR, network: 'network-b' },
    ],
  });
}

if (require.main === module) {
  const fleet = buildOfflineFleet();
  fleet.synth();
  for (const c of fleet.clusters) process.stdout.write(`${fleet.outdir}/clusters/${c.name}/: ${c.istioCa.integration.type}\n`);
  process.stdout.write(`${fleet.outdir}/NOTES.md (sign each cluster's intermediate offline, as it says)\n`);
}
