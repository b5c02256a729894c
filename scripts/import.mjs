#!/usr/bin/env node
// Regenerates the typed L1 bindings in src/imports/ with `cdk8s import`, offline, from upstream CRD files.
// The CRD files are third-party data and are never committed: point SCHEMAS_DIR at a folder laid out like
// ../shared/schemas (README "Regenerating the L1 bindings" names each upstream URL and version).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

const root = resolve(import.meta.dirname, '..');
const schemas = resolve(root, process.env.SCHEMAS_DIR ?? '../shared/schemas');
const out = join(root, 'src', 'imports');
if (!existsSync(schemas)) {
  console.error(`import: schema folder ${schemas} not found; set SCHEMAS_DIR`);
  process.exit(1);
}

// module name -> [file, kinds to keep (all when empty)]. ACME is dropped from the issuer schemas: ACME issuers
// cannot sign CA certificates or SPIFFE URI SANs (docs/reference.md §2b), and its solver pod templates are
// 90% of the generated code and of the library's import time.
const specs = [
  ['certificates', 'cert-manager/cert-manager.io_certificates.yaml', []],
  ['issuers', 'cert-manager/cert-manager.io_issuers.yaml', []],
  ['clusterissuers', 'cert-manager/cert-manager.io_clusterissuers.yaml', []],
  ['istio-security', 'istio/crd-all.gen.yaml', ['PeerAuthentication']],
  ['istio-networking', 'istio/crd-all.gen.yaml', ['DestinationRule', 'ProxyConfig']],
  ['prometheusrules', 'prometheus-operator/monitoring.coreos.com_prometheusrules.yaml', []],
  ['servicemonitors', 'prometheus-operator/monitoring.coreos.com_servicemonitors.yaml', []],
  ['podmonitors', 'prometheus-operator/monitoring.coreos.com_podmonitors.yaml', []],
  ['trust-manager', 'trust-manager/trust.cert-manager.io_bundles.yaml', []],
  ['approver-policy', 'approver-policy/policy.cert-manager.io_certificaterequestpolicies.yaml', []],
];

const tmp = mkdtempSync(join(tmpdir(), 'icca-import-'));
try {
  for (const f of readdirSync(out)) if (f.endsWith('.ts') && f !== 'index.ts') rmSync(join(out, f));
  for (const [name, file, kinds] of specs) {
    const docs = parseAllDocuments(readFileSync(join(schemas, file), 'utf8')).map((d) => d.toJS()).filter(Boolean);
    const keep = kinds.length ? docs.filter((d) => kinds.includes(d.spec?.names?.kind)) : docs;
    // v1alpha3 is served for old clients only and has the same schema as v1 (facts §8.1); skip its class.
    for (const d of keep) d.spec.versions = d.spec.versions.filter((v) => v.name !== 'v1alpha3');
    for (const d of keep) {
      for (const v of d.spec.versions) delete v.schema?.openAPIV3Schema?.properties?.spec?.properties?.acme;
    }
    if (keep.length === 0) throw new Error(`import: no CRD of kinds ${kinds} in ${file}`);
    const crd = join(tmp, `${name}.yaml`);
    writeFileSync(crd, keep.map((d) => stringify(d)).join('---\n'));
    execFileSync(join(root, 'node_modules', '.bin', 'cdk8s'), ['import', `${name}:=${crd}`, '-l', 'typescript', '-o', out, '--no-save', '--no-check-upgrade'],
      { cwd: tmp, stdio: 'inherit' });
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`import: regenerated ${specs.length} modules in ${out} from ${schemas}`);
