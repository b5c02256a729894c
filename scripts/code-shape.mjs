#!/usr/bin/env node
// The shape rules of Issue 16, measured on src/ (generated src/imports/ excluded):
//  - no function, method or constructor over MAX_FUNCTION_LINES lines;
//  - no import cycle between files (type-only imports count: they couple the files just the same);
//  - no switch or comparison on an integration, issuer source, root or bundle type outside the variant files;
//  - no non-null assertion reaching a variant's options;
//  - each listed fact (default lifetimes, names, path prefixes, audience form, phase names) written once in code.
// Prints a JSON report; with --check exits 1 when a rule is broken.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ts = require('typescript');

export const MAX_FUNCTION_LINES = 90;
const REPO = resolve(dirname(new URL(import.meta.url).pathname), '..');
/** Enums that name a variant; only the variant files may branch on them. */
const VARIANT_ENUMS = ['CaIntegrationType', 'IssuerSourceType', 'RootCaBundleType'];
/** Where the variants live (their own files may use their own type). */
const VARIANT_DIRS = ['src/k8s/integrations/', 'src/k8s/issuer-sources/', 'src/vault/vault-roots/'];
/** Option fields the old type-field classes carried, one per variant. */
const VARIANT_OPTIONS = /\b(pluginCaOptions|manualPluginCaOptions|istioCsrOptions|kubernetesCsrOptions|caOptions|selfSignedRootOptions|vaultOptions|generateOptions|existingOptions)\b/;

/**
 * Facts that must be written once, as literals in code (comments and @default docs aside): the literal's test, and
 * the one file (with how many literals) allowed to hold it. Two facts sharing a value (2160h is both Istio's
 * MAX_WORKLOAD_CERT_TTL and the library's intermediate renewBefore) each have their home.
 */
const FACTS = [
  ['default intermediate lifetime (8760h)', (l) => l === '8760', { 'src/model/pki-defaults.ts': 1 }],
  ['2160h: intermediate renewBefore and MAX_WORKLOAD_CERT_TTL', (l) => l === '2160', { 'src/model/pki-defaults.ts': 1, 'src/model/istio-settings.ts': 1 }],
  ['default root lifetime (87600h)', (l) => l === '87600', { 'src/model/pki-defaults.ts': 1 }],
  ['default Vault intermediate lifetime (43800h)', (l) => l === '43800', { 'src/model/pki-defaults.ts': 1 }],
  ["Vault auth prefix '/v1/auth/'", (l) => l.startsWith('/v1/auth/'), { 'src/model/cert-manager.ts': 1 }],
  ['vault:// audience form', (l) => l.startsWith('vault://'), { 'src/model/cert-manager.ts': 2 }],
  ['rotation phase folder names', (l) => /^[123]-(trust-both|issue-from-new|drop-old)$/.test(l), { 'src/model/rotation.ts': 3 }],
  ["cert-manager's namespace and ServiceAccount", (l) => l === 'cert-manager', { 'src/model/cert-manager.ts': 3, 'src/model/istio-settings.ts': 1 }],
  ["cert-manager's API group", (l) => l === 'cert-manager.io', { 'src/model/cert-manager.ts': 1 }],
  ['intermediate common name', (l) => l === 'istio-intermediate-ca', { 'src/model/pki-defaults.ts': 1 }],
  ['restart annotation', (l) => l === 'istio-custom-ca.io/restart', { 'src/model/istio-settings.ts': 1 }],
];

/** The literal texts of a file: numbers, strings and the fixed parts of templates. */
function literals(sf) {
  const out = [];
  const visit = (n) => {
    if (ts.isNumericLiteral(n) || ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) out.push(n.text);
    else if (ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) out.push(n.text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** Where a fact is written outside its home, or its home holds it another number of times than declared. */
function factProblems(base, files) {
  const counts = FACTS.map(() => new Map());
  for (const file of files) {
    const rel = relative(base, file);
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    for (const lit of literals(sf)) {
      FACTS.forEach(([, test], i) => { if (test(lit)) counts[i].set(rel, (counts[i].get(rel) ?? 0) + 1); });
    }
  }
  // Exactly the home count: more is a copy, fewer means the fact moved (or the scan missed it) and the table is stale.
  return FACTS.flatMap(([fact, , homes], i) => [...new Set([...counts[i].keys(), ...Object.keys(homes)])]
    .filter((file) => (counts[i].get(file) ?? 0) !== (homes[file] ?? 0))
    .map((file) => ({ fact, where: `${file} (${counts[i].get(file) ?? 0}, expected ${homes[file] ?? 0})` })));
}

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'imports' ? [] : sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Measures the project at `root` (default: this repository). */
export function measure(root) {
  const base = resolve(root ?? REPO);
  const src = join(base, 'src');
  const files = sourceFiles(src);
  const longFunctions = [];
  const typeBranches = [];
  const optionReaches = [];
  const edges = new Map();
  for (const file of files) {
    const rel = relative(base, file);
    const text = readFileSync(file, 'utf8');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const line = (pos) => sf.getLineAndCharacterOfPosition(pos).line + 1;
    const inVariant = VARIANT_DIRS.some((d) => rel.startsWith(d));
    const deps = new Set();
    const visit = (n) => {
      if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n) || ts.isArrowFunction(n) ||
        ts.isFunctionExpression(n) || ts.isGetAccessor(n)) && n.body) {
        const lines = line(n.end) - line(n.getStart()) + 1;
        if (lines > MAX_FUNCTION_LINES) {
          const name = n.name ? n.name.getText() : ts.isConstructorDeclaration(n) ? 'constructor' : '(anonymous)';
          longFunctions.push({ where: `${rel}:${line(n.getStart())}`, name, lines });
        }
      }
      if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
        const spec = n.moduleSpecifier.text;
        if (spec.startsWith('.')) {
          const target = resolve(dirname(file), spec);
          const candidates = [`${target}.ts`, join(target, 'index.ts')];
          const hit = candidates.find((c) => files.includes(c));
          if (hit && !hit.includes(`${join(src, 'imports')}`)) deps.add(hit);
        }
      }
      if (!inVariant) {
        if (ts.isSwitchStatement(n) && /\.(type|kind)\b/.test(n.expression.getText()) && /(integration|source|root|bundle)/i.test(n.expression.getText())) {
          typeBranches.push({ where: `${rel}:${line(n.getStart())}`, text: `switch (${n.expression.getText()})` });
        }
        if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && VARIANT_ENUMS.includes(n.expression.text)) {
          const parent = n.parent;
          if (ts.isBinaryExpression(parent) || ts.isCaseClause(parent)) typeBranches.push({ where: `${rel}:${line(n.getStart())}`, text: parent.getText().slice(0, 120) });
        }
      }
      if (ts.isNonNullExpression(n) && VARIANT_OPTIONS.test(n.expression.getText())) {
        optionReaches.push({ where: `${rel}:${line(n.getStart())}`, text: n.getText().slice(0, 80) });
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
    edges.set(file, [...deps]);
  }
  const drill = join(base, 'drill');
  const library = [...files, ...(existsSync(drill) ? sourceFiles(drill) : []).filter((f) => !f.endsWith('.test.ts'))];
  return { files: files.length, longFunctions, typeBranches, optionReaches, cycles: findCycles(base, edges), repeatedFacts: factProblems(base, library), sizes: sizes(base, files) };
}

/** Every elementary cycle reported once, by its smallest rotation (Tarjan's SCC, then a path inside each SCC). */
function findCycles(base, edges) {
  let index = 0;
  const idx = new Map(), low = new Map(), stack = [], on = new Set(), sccs = [];
  const strong = (v) => {
    idx.set(v, index); low.set(v, index); index++; stack.push(v); on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) { strong(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do { w = stack.pop(); on.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1 || (edges.get(v) ?? []).includes(v)) sccs.push(scc);
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) strong(v);
  return sccs.map((scc) => scc.map((f) => relative(base, f)).sort());
}

function sizes(base, files) {
  const count = (f) => readFileSync(f, 'utf8').split('\n').length;
  return Object.fromEntries(files.filter((f) => /istio-custom-ca\.ts$|vault-pki-backend\.ts$|mesh-pki\.ts$|cert-alert-rules\.ts$/.test(f))
    .map((f) => [relative(base, f), count(f)]));
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const report = measure();
  console.log(JSON.stringify(report, null, 2));
  if (process.argv.includes('--check')) {
    const broken = report.longFunctions.length + report.typeBranches.length + report.optionReaches.length + report.cycles.length +
      report.repeatedFacts.length;
    process.exit(broken ? 1 : 0);
  }
}
