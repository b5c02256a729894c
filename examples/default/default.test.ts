import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from '@cdktf/hcl2json';
import { parse as parseYaml } from 'yaml';
import { MeshApp } from '../../src';
import { scanOutput } from '../../test/output-scan';
import { matchSnapshot, one, validateAll, validateModel } from '../../test/support';
import { buildDefaultMesh, DEFAULT_CONFIG } from './mesh';
import { buildDefaultRotation } from './rotation';
import { lintPaths } from '../../src/lint/lint';

const SNAPSHOTS = join(__dirname, '__snapshots__');

function synthTo(): { out: string; objs: any[]; tf: any } {
  const out = mkdtempSync(join(tmpdir(), 'ica-default-'));
  const app = new MeshApp({ outdir: out });
  buildDefaultMesh(app);
  app.synth();
  const objs = app.charts.flatMap((c) => c.toJson());
  const tf = JSON.parse(readFileSync(join(out, 'terraform/istio-custom-ca/cdk.tf.json'), 'utf8'));
  return { out, objs, tf };
}

describe('examples/default (Vault root → cert-manager Vault Issuer (istio-system) → cacerts → istiod)', () => {
  const { out, objs, tf } = synthTo();

  it('synthesizes valid cluster objects', async () => {
    await validateAll(objs);
    assert.deepEqual(objs.map((o) => `${o.kind}/${o.metadata.name}`).sort(), [
      'Certificate/cacerts', 'Issuer/vault-istio', 'PeerAuthentication/legacy-billing', 'PodMonitor/istio-sidecar-agents',
      'PrometheusRule/istio-custom-ca-certificates', 'Role/vault-issuer-token-creator', 'RoleBinding/vault-issuer-token-creator',
      'ServiceAccount/vault-issuer', 'ServiceMonitor/istiod',
    ]);
    matchSnapshot('manifests', readFileSync(join(out, 'manifests/istio-custom-ca.k8s.yaml'), 'utf8'), SNAPSHOTS);
  });

  it('the Issuer path, auth role, mount path and trust domain match the Terraform exactly', async () => {
    const vault = one(objs, 'Issuer', 'vault-istio').spec.vault;
    const r = tf.resource;
    // sign path ↔ root mount + policy
    const mount = r.vault_mount.istio_root_mount.path;
    assert.equal(vault.path, `${mount}/root/sign-intermediate`);
    const policy = await parse('policy.hcl', r.vault_policy.istio_sign_policy.policy);
    assert.deepEqual(Object.keys(policy.path), [vault.path]);
    assert.deepEqual(policy.path[vault.path], [{ capabilities: ['create', 'update'], required_parameters: ['ttl'], allowed_parameters: { ttl: ['8760h0m0s'], '*': [] } }]);
    // auth mount ↔ auth backend, role ↔ auth role, ServiceAccount + namespace + audience ↔ bindings
    assert.equal(vault.auth.kubernetes.mountPath, `/v1/auth/${r.vault_auth_backend.istio_kubernetes_auth.path}`);
    const role = r.vault_kubernetes_auth_backend_role.istio_cert_manager_role;
    assert.equal(vault.auth.kubernetes.role, role.role_name);
    assert.deepEqual(role.bound_service_account_names, [vault.auth.kubernetes.serviceAccountRef.name]);
    assert.deepEqual(role.bound_service_account_namespaces, [one(objs, 'ServiceAccount', 'vault-issuer').metadata.namespace]);
    assert.equal(role.audience, 'vault://istio-system/vault-istio');
    assert.equal(vault.server, tf.provider.vault[0].address);
    // one trust domain
    const iop = (await import('yaml')).parse(readFileSync(join(out, 'install/istio-operator.yaml'), 'utf8'));
    await validateModel(iop);
    assert.equal(iop.spec.meshConfig.trustDomain, DEFAULT_CONFIG.trustDomain);
  });

  it('writes plain Terraform JSON with a relative local state outside the output folder, no token and pinned addresses', () => {
    // `cdk8s synth` deletes the output folder: the state lives beside it.
    assert.deepEqual(tf.terraform.backend, { local: { path: '../../../.istio-custom-ca-state/istio-custom-ca/terraform.tfstate' } });
    assert.equal(resolve(out, 'terraform/istio-custom-ca', tf.terraform.backend.local.path), resolve(out, '..', '.istio-custom-ca-state/istio-custom-ca/terraform.tfstate'));
    assert.deepEqual(tf.terraform.required_providers.vault, { source: 'hashicorp/vault', version: '5.6.0' });
    assert.equal(tf.provider.vault[0].token, undefined);
    assert.equal(tf.resource.vault_pki_secret_backend_root_cert.istio_root_ca.type, 'internal');
    assert.equal(readFileSync(join(out, 'terraform/istio-custom-ca/.gitignore'), 'utf8'), '.terraform/\n*.tfstate\n*.tfstate.*\n');
    matchSnapshot('terraform', readFileSync(join(out, 'terraform/istio-custom-ca/cdk.tf.json'), 'utf8'), SNAPSHOTS);
  });

  it('install config goes to install/, and nothing in the output is a secret or a known-wrong setting', () => {
    matchSnapshot('install', ['istio-operator.yaml', 'istiod-values.yaml'].map((f) => readFileSync(join(out, 'install', f), 'utf8')).join('---\n'), SNAPSHOTS);
    assert.deepEqual(scanOutput(out), []);
  });
});

describe('examples/default root rotation (dist/rotation)', () => {
  const out = mkdtempSync(join(tmpdir(), 'ica-default-rot-'));
  const rotation = buildDefaultRotation(out);
  rotation.synth();
  const tf = (f: string) => JSON.parse(readFileSync(join(out, f, 'terraform/istio-custom-ca/cdk.tf.json'), 'utf8'));
  const iop = (f: string) => parseYaml(readFileSync(join(out, f, 'install/istio-operator.yaml'), 'utf8'));

  it('keeps the current Vault root, adds the next one, and moves the sign path and policy to it in phase 2', async () => {
    for (const f of ['1-trust-both', '2-issue-from-new', '3-drop-old']) {
      assert.deepEqual(Object.keys(tf(f).resource.vault_mount).sort(), ['istio_next_root_mount', 'istio_root_mount'], f);
    }
    const policyPaths = async (f: string) => Object.keys((await parse('p.hcl', tf(f).resource.vault_policy.istio_sign_policy.policy)).path);
    assert.deepEqual(await policyPaths('1-trust-both'), ['pki/root/sign-intermediate']);
    assert.deepEqual(await policyPaths('2-issue-from-new'), ['pki-next/root/sign-intermediate']);
    const issuerPath = (i: number) => one(rotation.apps[i].charts[0].toJson(), 'Issuer', 'vault-istio').spec.vault.path;
    assert.deepEqual([0, 1, 2].map(issuerPath), ['pki/root/sign-intermediate', 'pki-next/root/sign-intermediate', 'pki-next/root/sign-intermediate']);
    assert.equal(iop('1-trust-both').spec.meshConfig.caCertificates.length, 2);
    assert.equal(iop('1-trust-both').spec.values.pilot.env.ISTIO_MULTIROOT_MESH, 'true');
    assert.deepEqual(iop('2-issue-from-new').spec.components.pilot.k8s.podAnnotations, { 'istio-custom-ca.io/restart': 'root-rotation-2' });
    assert.equal(iop('3-drop-old').spec.meshConfig.caCertificates, undefined);
    // Every phase applies to the main stack's state, outside the output folder.
    for (const f of ['1-trust-both', '2-issue-from-new', '3-drop-old']) {
      assert.equal(resolve(out, f, 'terraform/istio-custom-ca', tf(f).terraform.backend.local.path),
        resolve(out, '..', '..', '.istio-custom-ca-state/istio-custom-ca/terraform.tfstate'), f);
    }
    assert.equal(tf('1-trust-both').output.istio_next_root_ca_pem.value, '${vault_pki_secret_backend_root_cert.istio_next_root_ca.certificate}');
  });

  it('every phase lints clean, holds no secret, and ROTATION.md gives the waits', () => {
    for (const p of rotation.phases) assert.deepEqual(lintPaths([join(out, p.folder)]).findings, [], p.folder);
    assert.deepEqual(scanOutput(out), []);
    const md = readFileSync(join(out, 'ROTATION.md'), 'utf8');
    assert.match(md, /\| 2 \| `2-issue-from-new\/` \| 24h14m24s \|/);
    assert.match(md, /apply it \(`terraform init && terraform apply`\) before that phase's manifests/);
  });
});
