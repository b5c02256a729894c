// `npm test` pretest: the tests read the upstream schemas and charts from ../shared (never committed here).
// Without them, say in one line where to get them, instead of hundreds of failing tests.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const schemas = resolve(root, process.env.SCHEMAS_DIR ?? '../shared/schemas');
const charts = resolve(root, process.env.CHARTS_DIR ?? '../shared/charts');
const missing = [[schemas, 'SCHEMAS_DIR', 'schemas'], [charts, 'CHARTS_DIR', 'charts']].filter(([dir]) => !existsSync(dir));
if (missing.length > 0) {
  console.error(`npm test needs the upstream ${missing.map(([, , what]) => what).join(' and ')} (${missing.map(([dir]) => dir).join(', ')}): ` +
    `put a copy of the project's shared/ folder beside this clone, or set ${missing.map(([, v]) => v).join(' and ')}; see CONTRIBUTING.md`);
  process.exit(1);
}
