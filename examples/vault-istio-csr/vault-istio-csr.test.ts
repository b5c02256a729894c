import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from '@cdktf/hcl2json';
import { MeshApp } from '../../src';
import { scanOutput } from '../../test/output-scan';
import { matchSnapshot, one, validateAll } from '../../test/support';
import { buildVaultIstioCsrMesh } from './mesh';

describe('examples/vault-istio-csr (route 2: Vault signs leaves for istio-csr)', () => {
  const out = mkdtempSync(join(tmpdir(), 'ica-csr-'));
  const app = new MeshApp({ outdir: out });
  const pki = buildVaultIstioCsrMesh(app);
  app.synth();
  const objs = pki.chart.toJson();
  const tf = JSON.parse(readFileSync(join(out, 'terraform/vault-istio-csr/cdk.tf.json'), 'utf8'));

  it('synthesizes a valid Vault issuer at the role sign path that the policy grants', async () => {
    await validateAll(objs);
    const vault = one(objs, 'ClusterIssuer', 'vault-istio').spec.vault;
    const r = tf.resource;
    assert.equal(vault.path, `${r.vault_mount.istio_intermediate_mount.path}/sign/${r.vault_pki_secret_backend_role.istio_leaf_role.name}`);
    const policy = await parse('p.hcl', r.vault_policy.istio_sign_policy.policy);
    assert.deepEqual(Object.keys(policy.path), [vault.path]);
    assert.deepEqual(r.vault_pki_secret_backend_role.istio_leaf_role.allowed_uri_sans, ['spiffe://mesh.example.com/*']);
    matchSnapshot('manifests', readFileSync(join(out, 'manifests/vault-istio-csr.k8s.yaml'), 'utf8'), join(__dirname, '__snapshots__'));
    matchSnapshot('terraform', readFileSync(join(out, 'terraform/vault-istio-csr/cdk.tf.json'), 'utf8'), join(__dirname, '__snapshots__'));
  });

  it('exports the root that Terraform knows, for istio-csr to pin (never a leaf ca.crt)', () => {
    assert.equal(tf.output.istio_root_ca_pem.value, '${vault_pki_secret_backend_root_cert.istio_root_ca.certificate}');
  });

  it('writes no Istio install config yet, and nothing secret', () => {
    assert.deepEqual(app.renderInstallFiles(), []);
    assert.deepEqual(scanOutput(out), []);
  });
});
