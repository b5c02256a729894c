/**
 * Test support: two independent validators for every synthesized object, YAML snapshots, helpers.
 * 1. `@kubernetes-models/*` (and `kubernetes-models` for core kinds): the model class's own `validate()`.
 * 2. The upstream CRD schemas in ../shared/schemas (SCHEMAS_DIR), made strict (unknown fields rejected).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { MeshApp, toYaml } from '../src';

export const SCHEMAS_DIR = resolve(__dirname, '..', process.env.SCHEMAS_DIR ?? '../shared/schemas');

/** Where each API group's model classes live. */
function modelModule(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === 'cert-manager.io') return `@kubernetes-models/cert-manager/${group}/${version}/${kind}`;
  if (group.endsWith('istio.io')) return `@kubernetes-models/istio/${group}/${version}/${kind}`;
  if (group === 'monitoring.coreos.com') return `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`;
  if (group === '') return `kubernetes-models/${version}/${kind}`;
  return `kubernetes-models/${group}/${version}/${kind}`;
}

/** API groups with no @kubernetes-models package on npm: only the strict CRD schema validates them. */
const NO_MODEL_GROUPS = new Set(['trust.cert-manager.io', 'policy.cert-manager.io']);

/** Validates with the @kubernetes-models class of the object's kind; throws with the validator's message. */
export async function validateModel(obj: any): Promise<void> {
  if (NO_MODEL_GROUPS.has(obj.apiVersion.split('/')[0])) return;
  const mod = await import(modelModule(obj.apiVersion, obj.kind));
  const Model = mod[obj.kind];
  assert.ok(Model, `no @kubernetes-models class for ${obj.apiVersion} ${obj.kind}`);
  new Model(obj).validate();
}

const CRD_FILES = [
  'cert-manager/cert-manager.io_certificates.yaml',
  'cert-manager/cert-manager.io_issuers.yaml',
  'cert-manager/cert-manager.io_clusterissuers.yaml',
  'approver-policy/policy.cert-manager.io_certificaterequestpolicies.yaml',
  'istio/crd-all.gen.yaml',
  'prometheus-operator/monitoring.coreos.com_prometheusrules.yaml',
  'prometheus-operator/monitoring.coreos.com_servicemonitors.yaml',
  'prometheus-operator/monitoring.coreos.com_podmonitors.yaml',
  'trust-manager/trust.cert-manager.io_bundles.yaml',
];

let crdSchemas: Map<string, any> | undefined;
const compiled = new Map<string, ValidateFunction>();
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
for (const f of ['int32', 'int64', 'double', 'float', 'byte']) ajv.addFormat(f, true);

/** Rejects unknown fields where the API server would prune them; translates Go's `(?i)` prefix. */
function strictify(schema: any): any {
  if (Array.isArray(schema)) return schema.map(strictify);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: any = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, strictify(s)])) : strictify(v);
  if (typeof out.pattern === 'string' && out.pattern.includes('(?i)')) {
    out.pattern = out.pattern.replace('(?i)', '').replace(/[a-z]/g, (c: string) => `[${c}${c.toUpperCase()}]`);
  }
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

function loadCrds(): Map<string, any> {
  assert.ok(existsSync(SCHEMAS_DIR), `upstream schemas not found at ${SCHEMAS_DIR}; set SCHEMAS_DIR to a copy of shared/schemas`);
  const map = new Map<string, any>();
  for (const file of CRD_FILES) {
    for (const doc of parseAllDocuments(readFileSync(join(SCHEMAS_DIR, file), 'utf8'))) {
      const crd = doc.toJS();
      if (!crd?.spec?.versions) continue;
      for (const v of crd.spec.versions) {
        map.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, v.schema.openAPIV3Schema);
      }
    }
  }
  return map;
}

/** Validates a custom resource against its upstream CRD schema (strict); core kinds are skipped. */
export function validateCrd(obj: any): void {
  if (!obj.apiVersion.includes('.')) return; // core and rbac.authorization.k8s.io are checked by kubernetes-models
  if (obj.apiVersion.endsWith('.k8s.io/v1')) return;
  const key = `${obj.apiVersion}/${obj.kind}`;
  let validate = compiled.get(key);
  if (!validate) {
    crdSchemas ??= loadCrds();
    const schema = crdSchemas.get(key);
    assert.ok(schema, `no CRD schema for ${key} in ${SCHEMAS_DIR}`);
    // Some CRDs (Istio's) leave apiVersion/kind/metadata out of the top-level properties.
    const top = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } };
    validate = ajv.compile(strictify({ ...schema, properties: { ...top, ...schema.properties } }));
    compiled.set(key, validate);
  }
  if (!validate(obj)) {
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
    assert.fail(`${obj.kind} ${obj.metadata?.name} fails its CRD schema: ${errors.join('; ')}`);
  }
}

/** Both validators, on every object. */
export async function validateAll(objs: any[]): Promise<void> {
  assert.ok(objs.length > 0, 'nothing was synthesized');
  for (const o of objs) {
    await validateModel(o);
    validateCrd(o);
  }
}

/**
 * A fresh chart in a fresh MeshApp (Testing.synth validates the whole app, so never share one). A MeshApp, because
 * IstioCustomCa and CertAlertRules refuse a plain cdk8s App, which would drop their install and alert files.
 */
export function chart(): Chart {
  return new Chart(new MeshApp({ outdir: mkdtempSync(join(tmpdir(), 'ica-chart-')) }), 'test');
}

/** Synthesized objects of one chart. */
export function synth(c: Chart): any[] {
  return Testing.synth(c);
}

/** The objects of `kind` (and optional name). */
export function ofKind(objs: any[], kind: string, name?: string): any[] {
  return objs.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
}

/** Exactly one object of `kind` (and name). */
export function one(objs: any[], kind: string, name?: string): any {
  const found = ofKind(objs, kind, name);
  assert.equal(found.length, 1, `expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0];
}

const SNAPSHOTS = resolve(__dirname, '__snapshots__');

/**
 * YAML snapshot in test/__snapshots__/<name>.yaml. A missing snapshot is written, except under CI, where it
 * fails; UPDATE_SNAPSHOTS=1 rewrites. Review snapshot diffs like code.
 */
export function matchSnapshot(name: string, docs: unknown[] | string, dir = SNAPSHOTS): void {
  const text = typeof docs === 'string' ? docs : docs.map((d) => toYaml(d)).join('---\n');
  const file = join(dir, `${name}.yaml`);
  if (process.env.UPDATE_SNAPSHOTS === '1' || (!existsSync(file) && !process.env.CI)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, text);
    return;
  }
  assert.ok(existsSync(file), `snapshot ${file} is missing; run the tests locally and commit it`);
  assert.equal(text, readFileSync(file, 'utf8'), `snapshot ${name} differs; if the change is intended, run UPDATE_SNAPSHOTS=1 npm test and review the diff`);
}

/** Asserts `fn` throws an Error whose message equals `message` exactly. */
export function throwsExactly(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof Error, 'not an Error');
    // Constructs name their path after the class (`IstioCustomCa (test/istio): …`); compare without it unless given.
    const actual = /^\w+ \(/.test(message) ? e.message : withoutPath(e.message);
    assert.equal(actual, message);
    return true;
  });
}

/** `Name (path): rest` → `Name: rest` (also after a `MeshPki: ` prefix). */
export function withoutPath(message: string): string {
  return message.replace(/(^|: )(\w+) \([^)]*\): /g, '$1$2: ');
}

let csrValuesValidator: ValidateFunction | undefined;

/** Validates istio-csr chart values against the chart's own values.schema.json (draft-07, unknown keys rejected). */
export function validateIstioCsrValues(values: unknown): void {
  if (!csrValuesValidator) {
    const schema = JSON.parse(readFileSync(join(SCHEMAS_DIR, 'istio-csr/values.schema.json'), 'utf8'));
    delete schema.$schema;
    csrValuesValidator = new Ajv({ strict: false, allErrors: true }).compile(schema);
  }
  if (!csrValuesValidator(values)) {
    const errors = (csrValuesValidator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
    assert.fail(`istio-csr values fail the chart schema: ${errors.join('; ')}`);
  }
}
