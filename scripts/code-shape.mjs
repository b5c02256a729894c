#!/usr/bin/env node
// The shape rules of Issue 16, measured on src/ (generated src/imports/ excluded):
//  - no function, method or constructor over MAX_FUNCTION_LINES lines;
//  - no import cycle between files (type-only imports count: they couple the files just the same);
//  - no switch or comparison on an integration, issuer source, root or bundle type outside the variant files;
//  - no non-null assertion reaching a variant's options.
// Prints a JSON report; with --check exits 1 when a rule is broken.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ts = require('typescript');

export const MAX_FUNCTION_LINES = 90;
const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const SRC = join(ROOT, 'src');
/** Enums that name a variant; only the variant files may branch on them. */
const VARIANT_ENUMS = ['CaIntegrationType', 'IssuerSourceType', 'RootCaBundleType', 'VaultRootType'];
/** Where the variants live (their own files may use their own type). */
const VARIANT_DIRS = ['src/k8s/integrations/', 'src/k8s/issuer-sources/', 'src/k8s/root-ca-bundles/', 'src/vault/vault-roots/'];
/** Option fields the old type-field classes carried, one per variant. */
const VARIANT_OPTIONS = /\b(pluginCaOptions|manualPluginCaOptions|istioCsrOptions|kubernetesCsrOptions|caOptions|selfSignedRootOptions|vaultOptions|generateOptions|existingOptions)\b/;

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'imports' ? [] : sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

export function measure() {
  const files = sourceFiles(SRC);
  const longFunctions = [];
  const typeBranches = [];
  const optionReaches = [];
  const edges = new Map();
  for (const file of files) {
    const rel = relative(ROOT, file);
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
          if (hit && !hit.includes(`${join(SRC, 'imports')}`)) deps.add(hit);
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
  return { files: files.length, longFunctions, typeBranches, optionReaches, cycles: findCycles(edges), sizes: sizes(files) };
}

/** Every elementary cycle reported once, by its smallest rotation (Tarjan's SCC, then a path inside each SCC). */
function findCycles(edges) {
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
  return sccs.map((scc) => scc.map((f) => relative(ROOT, f)).sort());
}

function sizes(files) {
  const count = (f) => readFileSync(f, 'utf8').split('\n').length;
  return Object.fromEntries(files.filter((f) => /istio-custom-ca\.ts$|vault-pki-backend\.ts$|mesh-pki\.ts$|cert-alert-rules\.ts$/.test(f))
    .map((f) => [relative(ROOT, f), count(f)]));
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const report = measure();
  console.log(JSON.stringify(report, null, 2));
  if (process.argv.includes('--check')) {
    const broken = report.longFunctions.length + report.typeBranches.length + report.optionReaches.length + report.cycles.length;
    process.exit(broken ? 1 : 0);
  }
}
