import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from '@cdktf/hcl2json';
import { MeshApp } from '../../src';
import { scanOutput } from '../../test/output-scan';
import { parse as parseYaml } from 'yaml';
import { matchSnapshot, one, validateAll, validateIstioCsrValues, validateModel } from '../../test/support';
import { buildVaultIstioCsrMesh, VAULT_ISTIO_CSR_CONFIG } from './mesh';

describe('examples/vault-istio-csr (route 2: Vault signs leaves for istio-csr)', () => {
  const out = mkdtempSync(join(tmpdir(), 'ica-csr-'));
  const app = new MeshApp({ outdir: out });
  const pki = buildVaultIstioCsrMesh(app);
  app.synth();
  const objs = pki.chart.toJson();
  const tf = JSON.parse(readFileSync(join(out, 'terraform/vault-istio-csr/cdk.tf.json'), 'utf8'));

  it('synthesizes a valid Vault issuer at the role sign path that the policy grants', async () => {
    await validateAll(objs);
    const vault = one(objs, 'Issuer', 'vault-istio').spec.vault;
    const r = tf.resource;
    assert.equal(vault.path, `${r.vault_mount.istio_intermediate_mount.path}/sign/${r.vault_pki_secret_backend_role.istio_leaf_role.name}`);
    const policy = await parse('p.hcl', r.vault_policy.istio_sign_policy.policy);
    assert.deepEqual(Object.keys(policy.path), [vault.path]);
    assert.deepEqual(r.vault_pki_secret_backend_role.istio_leaf_role.allowed_uri_sans, ['spiffe://mesh.example.com/ns/*/sa/*']);
    matchSnapshot('manifests', readFileSync(join(out, 'manifests/vault-istio-csr.k8s.yaml'), 'utf8'), join(__dirname, '__snapshots__'));
    matchSnapshot('terraform', readFileSync(join(out, 'terraform/vault-istio-csr/cdk.tf.json'), 'utf8'), join(__dirname, '__snapshots__'));
  });

  it('exports the root that Terraform knows, for istio-csr to pin (never a leaf ca.crt)', () => {
    assert.equal(tf.output.istio_root_ca_pem.value, '${vault_pki_secret_backend_root_cert.istio_root_ca.certificate}');
  });

  it('writes istio-csr values (checked against the chart schema) and Istio install config for istio-csr mode', async () => {
    const files = app.renderInstallFiles().map((f) => f.fileName);
    assert.deepEqual(files, ['NOTES.md', 'istio-csr-values.yaml', 'istio-operator.yaml', 'istiod-values.yaml']);
    const values: any = parseYaml(readFileSync(join(out, 'install/istio-csr-values.yaml'), 'utf8'));
    validateIstioCsrValues(values);
    assert.equal(values.app.tls.trustDomain, VAULT_ISTIO_CSR_CONFIG.trustDomain);
    assert.equal(values.app.server.maxCertificateDuration, '1h');
    assert.deepEqual(values.app.certmanager.issuer, { name: 'vault-istio', kind: 'Issuer', group: 'cert-manager.io' });
    const iop = parseYaml(readFileSync(join(out, 'install/istio-operator.yaml'), 'utf8'));
    await validateModel(iop);
    assert.deepEqual(iop.spec.values.global, { caAddress: 'cert-manager-istio-csr.cert-manager.svc:443', pilotCertProvider: 'istiod' });
    assert.deepEqual(iop.spec.values.pilot.env, { ENABLE_CA_SERVER: 'false' });
    matchSnapshot('install', ['NOTES.md', 'istio-csr-values.yaml', 'istio-operator.yaml', 'istiod-values.yaml']
      .map((f) => readFileSync(join(out, 'install', f), 'utf8')).join('---\n'), join(__dirname, '__snapshots__'));
  });

  it('holds nothing secret', () => {
    assert.deepEqual(scanOutput(out), []);
  });
});
