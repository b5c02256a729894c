import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MeshFleetRootRotation } from '../../src/vault';
import { fleetProps } from './fleet';

/**
 * The roots' public PEMs, as the fleet's Terraform outputs them (`terraform output -raw istio_root_ca_pem >
 * roots/current.pem`; after step 0, `istio_next_root_ca_pem > roots/next.pem`). Until you have them, public test
 * certificates stand in.
 */
function rootPem(name: 'current' | 'next'): string {
  const own = join(__dirname, 'roots', `${name}.pem`);
  const stand = join(__dirname, '..', '..', 'test', 'fixtures', name === 'current' ? 'root-a.pem' : 'root-b.pem');
  return readFileSync(existsSync(own) ? own : stand, 'utf8');
}

/**
 * A root change of the fleet in `fleet.ts` (root in Vault): step 0 adds root B in `pki-next`, then every cluster trusts
 * both roots, east, central and west move one at a time (their sign policies and issuers with them), and root A is
 * dropped everywhere. Written to `dist-fleet-vault-rotation/` by default.
 */
export function buildVaultFleetRotation(outdir = process.env.CDK8S_OUTDIR ?? 'dist-fleet-vault-rotation'): MeshFleetRootRotation {
  return new MeshFleetRootRotation({ fleet: fleetProps('dist-fleet'), currentRootPem: rootPem('current'), newRootPem: rootPem('next'), outdir });
}
