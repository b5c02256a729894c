import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Duration } from 'cdk8s';
import { Testing } from 'cdktf';
import { parse } from '@cdktf/hcl2json';
import { IssuerKind, MeshApp } from '../src';
import { MeshPki, MeshPkiConfig, VaultPkiRoute, VaultTokenValidation } from '../src/vault';
import { parse as parseYaml } from 'yaml';
import { normalisePem } from '../src/model/pem';
import { chartDir, helmTemplate, terraformMissing, terraformPlanWith } from './engines';
import { FIXTURES } from './pki-fixtures';
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
  for (const route of Object.values(VaultPkiRoute)) {
    it(`${route}: a namespaced Issuer in istiod's namespace by default, and no ClusterIssuer anywhere`, () => {
      const { objs, tf, app } = build({ route, kubernetesCsrRootCaPem: route === VaultPkiRoute.LEAVES_FOR_KUBERNETES_CSR ? FIXTURES.rootA : undefined });
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

  it('refuses every prop of another route, naming the route that reads it', () => {
    throwsExactly(() => build({ route: VaultPkiRoute.LEAVES_FOR_ISTIO_CSR, maxWorkloadCertTtl: Duration.hours(48) }),
      "MeshPki: 'maxWorkloadCertTtl' (48h) only applies to route INTERMEDIATE_FOR_ISTIOD or LEAVES_FOR_KUBERNETES_CSR; in route " +
      'LEAVES_FOR_ISTIO_CSR istio-csr requests every leaf at the Vault role and istiod signs nothing, so nothing would read it; remove it');
    throwsExactly(() => build({ leafMaxTtl: Duration.hours(48) }),
      "MeshPki: 'leafMaxTtl' (48h) only applies to route LEAVES_FOR_ISTIO_CSR or LEAVES_FOR_KUBERNETES_CSR; in route " +
      'INTERMEDIATE_FOR_ISTIOD Vault signs the cacerts intermediate at the root and istiod signs the leaves, so nothing would read it; remove it');
    throwsExactly(() => build({ route: VaultPkiRoute.LEAVES_FOR_KUBERNETES_CSR, kubernetesCsrRootCaPem: FIXTURES.rootA, istioCsrVersion: 'v0.17.0' }),
      "MeshPki: 'istioCsrVersion' (v0.17.0) only applies to route LEAVES_FOR_ISTIO_CSR; in route LEAVES_FOR_KUBERNETES_CSR cert-manager's " +
      'Kubernetes CSR signer requests every leaf at the Vault role and istiod signs nothing, so nothing would read it; remove it');
    throwsExactly(() => build({ kubernetesCsrRootCaPem: FIXTURES.rootA }),
      "MeshPki: 'kubernetesCsrRootCaPem' (given) only applies to route LEAVES_FOR_KUBERNETES_CSR; in route INTERMEDIATE_FOR_ISTIOD Vault " +
      'signs the cacerts intermediate at the root and istiod signs the leaves, so nothing would read it; remove it');
  });

  describe('route 3: Vault leaves for the Kubernetes CSR signer', () => {
    const r3 = (config: Partial<MeshPkiConfig> = {}) => build({ route: VaultPkiRoute.LEAVES_FOR_KUBERNETES_CSR, kubernetesCsrRootCaPem: FIXTURES.rootA, ...config });

    it("the real istiod chart (1.30.3) reads the Issuer's signer and the pinned root; istiod may reference the namespaced signer", async () => {
      const { pki, objs, tf, app } = r3();
      await validateAll(objs);
      assert.equal(one(objs, 'Issuer', 'vault-istio').spec.vault.path, 'pki_int/sign/istio-workload');
      assert.equal(objs.filter((o: any) => o.kind === 'Certificate').length, 0, 'istiod signs nothing: no cacerts');
      // cert-manager signs for a namespaced Issuer only when the CSR's requester (istiod) may `reference` it (SubjectAccessReview).
      const role = one(objs, 'Role', 'istio-custom-ca:reference-signer:vault-istio');
      assert.deepEqual([role.metadata.namespace, role.rules], ['istio-system',
        [{ apiGroups: ['cert-manager.io'], resources: ['signers'], verbs: ['reference'], resourceNames: ['vault-istio'] }]]);
      const binding = one(objs, 'RoleBinding', 'istio-custom-ca:reference-signer:vault-istio');
      const values = parseYaml(app.renderInstallFiles().find((f) => f.fileName === 'istiod-values.yaml')!.content);
      const rendered = helmTemplate(chartDir('1.30.3', 'istiod'), values, 'istio-system', 'istiod');
      const deployment = one(rendered, 'Deployment', 'istiod');
      assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: deployment.spec.template.spec.serviceAccountName, namespace: 'istio-system' }]);
      const env = Object.fromEntries(deployment.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
      const signer = 'issuers.cert-manager.io/istio-system.vault-istio';
      assert.deepEqual([env.EXTERNAL_CA, env.K8S_SIGNER, env.CERT_SIGNER_DOMAIN], ['ISTIOD_RA_KUBERNETES_API', signer, 'issuers.cert-manager.io']);
      const mesh = parseYaml(one(rendered, 'ConfigMap', 'istio').data.mesh);
      assert.deepEqual(mesh.caCertificates.map((c: any) => [normalisePem(c.pem), c.certSigners]), [[normalisePem(FIXTURES.rootA), [signer]]]);
      assert.equal(mesh.defaultConfig.proxyMetadata.ISTIO_META_CERT_SIGNER, 'istio-system.vault-istio');
      const approve = one(rendered, 'ClusterRole', 'istiod-clusterrole-istio-system').rules.find((r: any) => r.resources.includes('signers'));
      assert.deepEqual([approve.verbs, approve.resourceNames], [['approve'], [signer]]);
      // Vault: a leaf role for workload identities and istiod's own serving certificate only.
      const leaf = tf.resource.vault_pki_secret_backend_role.istio_leaf_role;
      assert.deepEqual([leaf.allowed_domains, leaf.allowed_uri_sans], [['istio-system.svc'], ['spiffe://mesh.example.com/ns/*/sa/*']]);
      assert.equal(pki.backend.signPath, 'pki_int/sign/istio-workload');
    });

    it('requires the root PEM, and refuses a workload lifetime the Vault role would cap', () => {
      throwsExactly(() => r3({ kubernetesCsrRootCaPem: undefined }),
        "MeshPki: 'kubernetesCsrRootCaPem' is required with 'route' LEAVES_FOR_KUBERNETES_CSR: istiod pins the signer's root by content " +
        '(meshConfig.caCertificates) to verify every chain the signer returns. Apply the Terraform stack first (or adopt an existing ' +
        'root), then set it to the public PEM of `terraform output -raw istio_root_ca_pem`');
      throwsExactly(() => r3({ workloadCertTtl: Duration.hours(48), leafMaxTtl: Duration.hours(24) }),
        "MeshPki: VaultPkiBackend: IstioCustomCa 'workloadCertTtl' (48h) exceeds role istio-workload 'leafMaxTtl' (24h); Vault would " +
        'silently cap it (docs/reference.md §4.3); raise the Vault limit or shorten the lifetime');
    });

    it('real Terraform refuses to apply when the pinned root is not the root in Vault', { skip: terraformMissing() }, () => {
      const { tf } = r3();
      const [pre] = tf.resource.vault_pki_secret_backend_role.istio_leaf_role.lifecycle.precondition;
      // Vault returns the root's PEM without a trailing newline; it stands in for the resource attribute.
      const plan = (root: string) => terraformPlanWith(pre, 'vault_pki_secret_backend_root_cert.istio_root_ca.certificate', normalisePem(root).trim());
      assert.equal(plan(FIXTURES.rootA).status, 0);
      const wrong = plan(FIXTURES.rootB);
      assert.notEqual(wrong.status, 0);
      assert.match(wrong.stderr, /'kubernetesCsrRootCaPem' is not the mesh root in Vault \(mount pki\)/);
    });
  });

  it('route 2 root rotation: the issuer and the policy move to the intermediate under the next root', async () => {
    for (const signWithNextRoot of [false, true]) {
      const { pki, objs } = build({ route: VaultPkiRoute.LEAVES_FOR_ISTIO_CSR, nextRootMountPath: 'pki-next', signWithNextRoot });
      const path = signWithNextRoot ? 'pki_int_next/sign/istio-workload' : 'pki_int/sign/istio-workload';
      assert.equal(one(objs, 'Issuer', 'vault-istio').spec.vault.path, path);
      assert.deepEqual(Object.keys((await parse('p.hcl', pki.backend.policyHcl)).path), [path]);
    }
  });

  it('route 3 root rotation: a second issuer (a new signer) under the next root, on the same Vault role; the signer moves with signWithNextRoot', async () => {
    const r3 = { route: VaultPkiRoute.LEAVES_FOR_KUBERNETES_CSR, kubernetesCsrRootCaPem: FIXTURES.rootA, nextRootMountPath: 'pki-next' };
    for (const signWithNextRoot of [false, true]) {
      const { pki, objs, tf, app } = build({ ...r3, kubernetesCsrNextRootCaPem: FIXTURES.rootB, signWithNextRoot });
      await validateAll(objs);
      const next = one(objs, 'Issuer', 'vault-istio-next');
      assert.deepEqual([next.spec.vault.path, next.spec.vault.auth.kubernetes.role, next.spec.vault.auth.kubernetes.serviceAccountRef],
        ['pki_int_next/sign/istio-workload', 'cert-manager-istio', { name: 'vault-issuer', audiences: ['vault://istio-system/vault-istio'] }]);
      assert.equal(one(objs, 'Issuer', 'vault-istio').spec.vault.path, 'pki_int/sign/istio-workload');
      assert.equal(objs.filter((o: any) => o.kind === 'ServiceAccount').length, 1, 'the two issuers share one ServiceAccount');
      // Both issuers live (proxies move as they restart): the policy grants both paths; the role's audience is in both tokens.
      assert.deepEqual(Object.keys((await parse('p.hcl', pki.backend.policyHcl)).path), ['pki_int/sign/istio-workload', 'pki_int_next/sign/istio-workload']);
      assert.equal(tf.resource.vault_kubernetes_auth_backend_role.istio_cert_manager_role.audience, 'vault://istio-system/vault-istio');
      assert.match(tf.resource.vault_pki_secret_backend_role.istio_next_leaf_role.lifecycle.precondition[0].condition, /istio_next_root_ca\.certificate/);
      const values = parseYaml(app.renderInstallFiles().find((f) => f.fileName === 'istiod-values.yaml')!.content);
      const rendered = helmTemplate(chartDir('1.30.3', 'istiod'), values, 'istio-system', 'istiod');
      const env = Object.fromEntries(one(rendered, 'Deployment', 'istiod').spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
      const signer = `issuers.cert-manager.io/istio-system.vault-istio${signWithNextRoot ? '-next' : ''}`;
      assert.equal(env.K8S_SIGNER, signer);
      const mesh = parseYaml(one(rendered, 'ConfigMap', 'istio').data.mesh);
      const pinned = mesh.caCertificates.find((c: any) => c.certSigners?.includes(signer));
      assert.equal(normalisePem(pinned.pem), normalisePem(signWithNextRoot ? FIXTURES.rootB : FIXTURES.rootA));
    }
    throwsExactly(() => build({ ...r3, signWithNextRoot: true }),
      "MeshPki: 'kubernetesCsrNextRootCaPem' is required with 'signWithNextRoot' in route LEAVES_FOR_KUBERNETES_CSR: istiod pins the next " +
      "signer's root by content; apply the Terraform stack with the next root, then set it to `terraform output -raw istio_next_root_ca_pem`");
    throwsExactly(() => build({ ...r3, nextRootMountPath: undefined, kubernetesCsrNextRootCaPem: FIXTURES.rootB }),
      "MeshPki: 'kubernetesCsrNextRootCaPem' (given) pins the next root of a rotation; set 'nextRootMountPath' too, or remove it");
    // With the next root in Vault only (a rotation's first step), no second issuer yet.
    assert.equal(build(r3).objs.filter((o: any) => o.kind === 'Issuer').length, 1);
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
