import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Duration } from 'cdk8s';
import { Testing } from 'cdktf';
import { parse } from '@cdktf/hcl2json';
import { IssuerKind, MeshApp } from '../src';
import { MeshPki, MeshPkiConfig, VaultPkiRoute, VaultTokenValidation } from '../src/vault';
import { matchSnapshot, one, throwsExactly, validateAll, validateIstioCsrValues } from './support';

const base: MeshPkiConfig = {
  route: VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD,
  vaultAddress: 'https://vault.example.com:8200',
  kubernetesHost: 'https://k8s.example.com:6443',
  trustDomain: 'mesh.example.com',
};

function build(config: Partial<MeshPkiConfig> = {}) {
  const app = new MeshApp({ outdir: '/tmp/unused' });
  const pki = new MeshPki(app, 'mesh', { ...base, ...config });
  return { app, pki, objs: pki.chart.toJson(), tf: JSON.parse(Testing.synth(pki.stack, true)) };
}

describe('MeshPki issuer scope (the mesh CA is closed to other namespaces)', () => {
  for (const route of [VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD, VaultPkiRoute.LEAVES_FOR_ISTIO_CSR]) {
    it(`${route}: a namespaced Issuer in istiod's namespace by default, and no ClusterIssuer anywhere`, () => {
      const { objs, tf, app } = build({ route });
      assert.equal(objs.filter((o: any) => o.kind === 'ClusterIssuer').length, 0, 'no ClusterIssuer unless opted in');
      const issuer = one(objs, 'Issuer', 'vault-istio');
      assert.equal(issuer.metadata.namespace, 'istio-system');
      // The Vault role binds the issuer's own ServiceAccount and audience, in that namespace.
      const role = tf.resource.vault_kubernetes_auth_backend_role.istio_cert_manager_role;
      assert.deepEqual(role.bound_service_account_namespaces, ['istio-system']);
      assert.equal(role.audience, 'vault://istio-system/vault-istio');
      const notes = app.renderInstallFiles().find((f) => f.fileName === 'NOTES.md')!.content;
      assert.ok(!notes.includes('Warning: ClusterIssuer'));
    });
  }

  it('a ClusterIssuer is an explicit opt-in, and NOTES.md warns what it exposes', () => {
    const { objs, tf, app } = build({ issuerKind: IssuerKind.CLUSTER_ISSUER });
    const ci = one(objs, 'ClusterIssuer', 'vault-istio');
    assert.equal(ci.spec.vault.path, 'pki/root/sign-intermediate');
    assert.equal(tf.resource.vault_kubernetes_auth_backend_role.istio_cert_manager_role.audience, 'vault://vault-istio');
    const notes = app.renderInstallFiles().find((f) => f.fileName === 'NOTES.md')!.content;
    assert.match(notes, /## Warning: ClusterIssuer `vault-istio` \(opt-in\)/);
    assert.match(notes, /an intermediate CA certificate under the mesh root/);
  });

  it('route 1: Vault itself bounds the intermediate lifetime: the policy pins the requested ttl', async () => {
    const { pki } = build({ intermediateDuration: Duration.hours(4380), intermediateRenewBefore: Duration.hours(1000) });
    const policy = await parse('policy.hcl', pki.backend.policyHcl);
    assert.deepEqual(policy.path['pki/root/sign-intermediate'], [{
      capabilities: ['create', 'update'],
      required_parameters: ['ttl'],
      allowed_parameters: { ttl: ['4380h0m0s'], '*': [] },
    }]);
  });
});

describe('MeshPki', () => {
  it('Vault outside the cluster: JWT auth mount and an issuer whose mountPath points at it, from one config', async () => {
    const { objs, tf } = build({ kubernetesHost: undefined, tokenValidation: VaultTokenValidation.oidcDiscovery({ discoveryUrl: 'https://oidc.example.com/east' }) });
    await validateAll(objs);
    const auth = one(objs, 'Issuer', 'vault-istio').spec.vault.auth.kubernetes;
    assert.equal(auth.mountPath, '/v1/auth/kubernetes-jwt');
    assert.equal(tf.resource.vault_jwt_auth_backend.istio_cert_manager_jwt_auth.path, 'kubernetes-jwt');
    assert.equal(tf.resource.vault_jwt_auth_backend_role.istio_cert_manager_jwt_role.role_name, auth.role);
    assert.deepEqual(tf.resource.vault_jwt_auth_backend_role.istio_cert_manager_jwt_role.bound_audiences, ['vault://istio-system/vault-istio']);
    assert.equal(tf.resource.vault_jwt_auth_backend_role.istio_cert_manager_jwt_role.bound_subject, 'system:serviceaccount:istio-system:vault-issuer');
    assert.equal(tf.resource.vault_auth_backend, undefined);
  });

  it('route 1 builds the Vault issuer, the plug-in CA and the Vault backend from one config', async () => {
    const { pki, objs, tf } = build();
    await validateAll(objs);
    assert.equal(one(objs, 'Issuer', 'vault-istio').spec.vault.path, 'pki/root/sign-intermediate');
    assert.equal(one(objs, 'Certificate', 'cacerts').spec.issuerRef.name, 'vault-istio');
    assert.equal(pki.istioCa?.trustDomain, 'mesh.example.com');
    assert.ok(tf.resource.vault_pki_secret_backend_root_cert);
    matchSnapshot('mesh-pki', objs);
  });

  it('route 2 builds a leaf-signing Vault issuer and istio-csr on the Istio side, and no cacerts', async () => {
    const { pki, objs, tf } = build({ route: VaultPkiRoute.LEAVES_FOR_ISTIO_CSR, istioNamespace: 'istio-system', istioCsrNamespace: 'istio-csr' });
    await validateAll(objs);
    assert.equal(one(objs, 'Issuer', 'vault-istio').spec.vault.path, 'pki_int/sign/istio-workload');
    assert.equal(objs.filter((o: any) => o.kind === 'Certificate').length, 0);
    const values: any = pki.istioCa.toIstioCsrHelmValues();
    validateIstioCsrValues(values);
    assert.deepEqual(values.app.certmanager.issuer, { name: 'vault-istio', kind: 'Issuer', group: 'cert-manager.io' });
    assert.equal(values.app.tls.trustDomain, 'mesh.example.com');
    assert.equal((pki.istioCa.toIstioOperator() as any).spec.values.global.caAddress, 'cert-manager-istio-csr.istio-csr.svc:443');
    // the role allows the istiod and istio-csr serving certificates' DNS names
    assert.deepEqual(tf.resource.vault_pki_secret_backend_role.istio_leaf_role.allowed_domains, ['istio-system.svc', 'istio-csr.svc']);
  });

  it('route 2 refuses plug-in CA lifetimes that nothing would read', () => {
    throwsExactly(() => build({ route: VaultPkiRoute.LEAVES_FOR_ISTIO_CSR, maxWorkloadCertTtl: Duration.hours(48) }),
      "MeshPki: 'maxWorkloadCertTtl' (48h) only applies to route INTERMEDIATE_FOR_ISTIOD; in route LEAVES_FOR_ISTIO_CSR istiod " +
      "signs nothing; remove it (leaf lifetimes are 'istioCsrMaxCertificateDuration' and 'leafMaxTtl')");
  });

  it('adopts an existing root', () => {
    const { tf, objs } = build({ adoptExistingRoot: true, rootMountPath: 'corp/pki', rootTtl: Duration.hours(60000) });
    assert.equal(tf.resource.vault_mount, undefined);
    assert.equal(one(objs, 'Issuer').spec.vault.path, 'corp/pki/root/sign-intermediate');
  });

  it('keeps cdktf tokens out of cdk8s output', () => {
    const { objs } = build();
    assert.ok(!JSON.stringify(objs).includes('${TfToken['));
  });

  describe('cross-checks', () => {
    it('fails when the root does not comfortably outlive the intermediate cycle', () => {
      throwsExactly(() => build({ rootTtl: Duration.hours(20000) }),
        "MeshPki: root 'rootTtl' (20000h) must be at least twice the intermediate 'intermediateDuration' + 'intermediateRenewBefore' " +
        '(10920h), to leave a full intermediate cycle for a staged root rotation before the root expires; lengthen rootTtl or shorten the intermediate');
    });
    it('fails when istio-csr would request more than the Vault role allows', () => {
      throwsExactly(() => build({ route: VaultPkiRoute.LEAVES_FOR_ISTIO_CSR, leafMaxTtl: Duration.minutes(30) }),
        "MeshPki: VaultPkiBackend: istio-csr 'istioCsrMaxCertificateDuration' (1h) exceeds role istio-workload 'leafMaxTtl' (30m); Vault would " +
        'silently cap it (docs/reference.md §4.3); raise the Vault limit or shorten the lifetime');
    });
    it('refuses rootMaxLeaseTtl with an adopted root', () => {
      throwsExactly(() => build({ adoptExistingRoot: true, rootMaxLeaseTtl: Duration.hours(100) }),
        "MeshPki: 'rootMaxLeaseTtl' only applies to a generated root; set it on the existing mount in Vault, or remove it");
    });
    it('rejects a cdktf token in any config value', () => {
      throwsExactly(() => build({ vaultAddress: '${TfToken[TOKEN.7]}' }),
        "MeshPki: 'vaultAddress' (${TfToken[TOKEN.7]}) is an unresolved cdktf token, which cdk8s would write verbatim; pass the plain " +
        'value from your typed config instead of a Terraform attribute');
    });
  });
});
