/** The fixed public test certificates in test/fixtures (no keys; stable across runs, for snapshots). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = {
  rootA: readFileSync(join(__dirname, 'fixtures', 'root-a.pem'), 'utf8'),
  rootB: readFileSync(join(__dirname, 'fixtures', 'root-b.pem'), 'utf8'),
  leaf: readFileSync(join(__dirname, 'fixtures', 'leaf.pem'), 'utf8'),
};
