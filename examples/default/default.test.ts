import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from '@cdktf/hcl2json';
import { MeshApp } from '../../src';
import { scanOutput } from '../../test/output-scan';
import { matchSnapshot, one, validateAll, validateModel } from '../../test/support';
import { buildDefaultMesh, DEFAULT_CONFIG } from './mesh';

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

describe('examples/default (Vault root → cert-manager Vault ClusterIssuer → cacerts → istiod)', () => {
  const { out, objs, tf } = synthTo();

  it('synthesizes valid cluster objects', async () => {
    await validateAll(objs);
    assert.deepEqual(objs.map((o) => `${o.kind}/${o.metadata.name}`).sort(), [
      'Certificate/cacerts', 'ClusterIssuer/vault-istio', 'PeerAuthentication/legacy-billing', 'PodMonitor/istio-sidecar-agents',
      'PrometheusRule/istio-custom-ca-certificates', 'Role/vault-issuer-token-creator', 'RoleBinding/vault-issuer-token-creator',
      'ServiceAccount/vault-issuer', 'ServiceMonitor/istiod',
    ]);
    matchSnapshot('manifests', readFileSync(join(out, 'manifests/istio-custom-ca.k8s.yaml'), 'utf8'), SNAPSHOTS);
  });

  it('the ClusterIssuer path, auth role, mount path and trust domain match the Terraform exactly', async () => {
    const vault = one(objs, 'ClusterIssuer', 'vault-istio').spec.vault;
    const r = tf.resource;
    // sign path ↔ root mount + policy
    const mount = r.vault_mount.istio_root_mount.path;
    assert.equal(vault.path, `${mount}/root/sign-intermediate`);
    const policy = await parse('policy.hcl', r.vault_policy.istio_sign_policy.policy);
    assert.deepEqual(Object.keys(policy.path), [vault.path]);
    assert.deepEqual(policy.path[vault.path], [{ capabilities: ['create', 'update'] }]);
    // auth mount ↔ auth backend, role ↔ auth role, ServiceAccount + namespace + audience ↔ bindings
    assert.equal(vault.auth.kubernetes.mountPath, `/v1/auth/${r.vault_auth_backend.istio_kubernetes_auth.path}`);
    const role = r.vault_kubernetes_auth_backend_role.istio_cert_manager_role;
    assert.equal(vault.auth.kubernetes.role, role.role_name);
    assert.deepEqual(role.bound_service_account_names, [vault.auth.kubernetes.serviceAccountRef.name]);
    assert.deepEqual(role.bound_service_account_namespaces, [one(objs, 'ServiceAccount', 'vault-issuer').metadata.namespace]);
    assert.equal(role.audience, 'vault://vault-istio');
    assert.equal(vault.server, tf.provider.vault[0].address);
    // one trust domain
    const iop = (await import('yaml')).parse(readFileSync(join(out, 'install/istio-operator.yaml'), 'utf8'));
    await validateModel(iop);
    assert.equal(iop.spec.meshConfig.trustDomain, DEFAULT_CONFIG.trustDomain);
  });

  it('writes plain Terraform JSON with a relative local state, no token and pinned addresses', () => {
    assert.deepEqual(tf.terraform.backend, { local: { path: 'terraform.tfstate' } });
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
