import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from '@cdktf/hcl2json';
import { Chart, Duration, Testing as K8sTesting } from 'cdk8s';
import { Testing, TerraformStack } from 'cdktf';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { CertManagerIssuer, IssuerKind, IssuerSource, VaultAuth } from '../src';
import { VaultKeyType, VaultPkiBackend, VaultPkiBackendProps, VaultPkiRoute, VaultRoot, VaultTokenValidation } from '../src/vault';
import { matchSnapshot, throwsExactly, withoutPath } from './support';

function stack(): TerraformStack {
  const s = new TerraformStack(Testing.app(), 'stack');
  new VaultProvider(s, 'vault', { address: 'https://vault.example.com:8200' });
  return s;
}

const auth = {
  kubernetesHost: 'https://10.0.0.1:443',
  roleName: 'cert-manager-istio',
  serviceAccountName: 'vault-issuer',
  serviceAccountNamespace: 'cert-manager',
  audience: 'vault://vault-istio',
};

function backend(props: Partial<VaultPkiBackendProps> = {}, s = stack()) {
  const b = new VaultPkiBackend(s, 'VaultPki', {
    trustDomain: 'mesh.example.com',
    vaultAddress: 'https://vault.example.com:8200',
    route: VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD,
    root: VaultRoot.generate({ commonName: 'Mesh Root' }),
    kubernetesAuth: auth,
    ...props,
  });
  return { b, s, json: () => JSON.parse(Testing.synth(s, true)), text: () => Testing.synth(s, true) };
}

function issuer(path: string, overrides: { role?: string; mountPath?: string; sa?: string; name?: string } = {}): CertManagerIssuer {
  const c = new Chart(K8sTesting.app(), 'c');
  return new CertManagerIssuer(c, overrides.name ?? 'vault-istio', {
    kind: IssuerKind.CLUSTER_ISSUER,
    source: IssuerSource.vault({
      server: 'https://vault.example.com:8200',
      path,
      auth: VaultAuth.kubernetes({ role: overrides.role ?? 'cert-manager-istio', mountPath: overrides.mountPath, serviceAccountName: overrides.sa ?? 'vault-issuer' }),
    }),
  });
}

const CA_PEM = readFileSync(join(__dirname, 'fixtures', 'root-a.pem'), 'utf8');
const SA_KEYS = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const SA_PUBLIC = SA_KEYS.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const SA_PRIVATE = SA_KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const { kubernetesHost: _host, ...jwtAuth } = auth;

describe('Terraform invariants', () => {
  it('two leaf roles that map to one Terraform address are refused, never merged', () => {
    const { b } = backend({ route: VaultPkiRoute.LEAVES_FOR_ISTIO_CSR });
    b.addLeafRole('tenant.a');
    throwsExactly(() => b.addLeafRole('tenant-a'),
      "VaultPkiBackend: leaf role 'tenant-a' and leaf role 'tenant.a' both become Terraform address vault_pki_secret_backend_role.istio_leaf_role_tenant_a; " +
      'Terraform would keep one while the policy grants both; rename one of them');
  });

  it('leaf roles and policy paths match one to one, and kubernetes_ca_cert holds certificates only', async () => {
    const { b, json } = backend({ route: VaultPkiRoute.LEAVES_FOR_ISTIO_CSR, kubernetesAuth: { ...auth, kubernetesCaCertPem: CA_PEM } });
    b.addLeafRole('tenant-b');
    b.addLeafRole('tenant.c');
    const r = json().resource;
    const roles = Object.values(r.vault_pki_secret_backend_role).map((x: any) => `pki_int/sign/${x.name}`).sort();
    const policy = await parse('policy.hcl', r.vault_policy.istio_sign_policy.policy);
    assert.deepEqual(Object.keys(policy.path).sort(), roles);
    const ca = r.vault_kubernetes_auth_backend_config.istio_kubernetes_auth_config.kubernetes_ca_cert as string;
    assert.match(ca, /^-----BEGIN CERTIFICATE-----/);
    assert.deepEqual([...ca.matchAll(/-----BEGIN ([A-Z ]+)-----/g)].map((m) => m[1]), ['CERTIFICATE']);
  });
});

describe('Vault addresses: refused when they could smuggle anything into issuers, providers or certificate URLs', () => {
  const bad = ['https://user:pw@vault.example.com', 'https://vault.example.com?x=1', 'https://vault.example.com#f', 'https://:8200',
    'https://vault.example.com:0', 'https://vault.example.com:65536', 'https://vault.example.com:8200/v1', 'http://vault:8200',
    'https://vault example.com', 'https://', 'https://-vault.example.com', ''];
  const good = ['https://vault.example.com', 'https://vault.example.com:8200', 'https://vault.example.com:8200/', 'https://10.0.0.5:8200',
    'https://[fd00::5]:8200', 'https://vault:1', 'https://vault:65535'];
  for (const address of bad) {
    it(`refuses ${JSON.stringify(address)} in VaultPkiBackend and IssuerSource.vault, naming the prop`, () => {
      assert.throws(() => backend({ vaultAddress: address }), (e: Error) => withoutPath(e.message).startsWith(`VaultPkiBackend: 'vaultAddress' (${address}) must be an https:// URL`));
      assert.throws(() => IssuerSource.vault({ server: address, path: 'pki/sign/r', auth: VaultAuth.kubernetes({ role: 'r', serviceAccountName: 's' }) }),
        (e: Error) => e.message.startsWith(`IssuerSource: 'server' (${address}) must be an https:// URL`));
    });
  }
  it('accepts host names, IPv4 and [IPv6] with ports 1 to 65535', () => {
    for (const address of good) assert.doesNotThrow(() => backend({ vaultAddress: address }), address);
  });
});

describe('VaultPkiBackend token validation (Vault in or outside the cluster)', () => {
  it('TokenReview (Vault in the cluster): Kubernetes auth with host and CA only, no reviewer JWT', () => {
    const t = backend().text();
    assert.ok(Testing.toHaveResourceWithProperties(t, 'vault_auth_backend', { type: 'kubernetes', path: 'kubernetes' }));
    assert.ok(Testing.toHaveResourceWithProperties(t, 'vault_kubernetes_auth_backend_config', { kubernetes_host: 'https://10.0.0.1:443' }));
    assert.ok(!t.includes('token_reviewer_jwt'));
    assert.ok(!t.includes('vault_jwt_auth_backend'));
  });

  it('issuer keys (Vault outside the cluster): JWT auth checks signature, iss, aud and sub offline, no secret', () => {
    const { text, json } = backend({ kubernetesAuth: { ...jwtAuth, tokenValidation: VaultTokenValidation.serviceAccountIssuerKeys({
      issuer: 'https://oidc.eks.example.com/id/ABC', publicKeysPem: [SA_PUBLIC] }) } });
    const t = text();
    assert.ok(Testing.toHaveResourceWithProperties(t, 'vault_jwt_auth_backend', {
      type: 'jwt', path: 'kubernetes-jwt', bound_issuer: 'https://oidc.eks.example.com/id/ABC', jwt_validation_pubkeys: [`${SA_PUBLIC.trim()}\n`],
    }));
    assert.ok(Testing.toHaveResourceWithProperties(t, 'vault_jwt_auth_backend_role', {
      role_name: 'cert-manager-istio', role_type: 'jwt', bound_audiences: ['vault://vault-istio'],
      bound_subject: 'system:serviceaccount:cert-manager:vault-issuer', user_claim: 'sub', token_ttl: 600, token_max_ttl: 600,
      token_policies: ['${vault_policy.istio_sign_policy.name}'],
    }));
    const r = json().resource;
    assert.equal(r.vault_auth_backend, undefined, 'no Kubernetes auth mount');
    assert.equal(r.vault_kubernetes_auth_backend_role, undefined);
    assert.deepEqual(Object.keys(r.vault_jwt_auth_backend), ['istio_cert_manager_jwt_auth'], 'pinned address');
    assert.ok(!t.includes('PRIVATE KEY'));
  });

  it('OIDC discovery: JWT auth with the issuer URL as bound issuer', () => {
    const t = backend({ kubernetesAuth: { ...jwtAuth, path: 'k8s-east', tokenValidation: VaultTokenValidation.oidcDiscovery({
      discoveryUrl: 'https://oidc.example.com/cluster-east' }) } }).text();
    assert.ok(Testing.toHaveResourceWithProperties(t, 'vault_jwt_auth_backend', {
      type: 'jwt', path: 'k8s-east', oidc_discovery_url: 'https://oidc.example.com/cluster-east', bound_issuer: 'https://oidc.example.com/cluster-east',
    }));
  });

  it('refuses a private key or a token where public keys belong, and unclear combinations', () => {
    throwsExactly(() => backend({ kubernetesAuth: { ...jwtAuth, tokenValidation: VaultTokenValidation.serviceAccountIssuerKeys({
      issuer: 'https://kubernetes.default.svc', publicKeysPem: [SA_PRIVATE] }) } }),
      "VaultPkiBackend: 'kubernetesAuth.tokenValidation.publicKeysPem[0]' must hold only PEM 'PUBLIC KEY' blocks (the cluster's " +
      'service-account signing key); found PRIVATE KEY. It contains a private key: keep keys out of IaC and rotate that key');
    throwsExactly(() => backend({ kubernetesAuth: { ...jwtAuth, tokenValidation: VaultTokenValidation.serviceAccountIssuerKeys({
      issuer: 'https://kubernetes.default.svc', publicKeysPem: [] }) } }),
      "VaultPkiBackend: 'kubernetesAuth.tokenValidation.publicKeysPem' must list at least one PEM public key of the cluster's service-account issuer");
    throwsExactly(() => backend({ kubernetesAuth: { ...jwtAuth, tokenValidation: VaultTokenValidation.oidcDiscovery({ discoveryUrl: 'https://user:pw@oidc.example.com' }) } }),
      "VaultPkiBackend: 'kubernetesAuth.tokenValidation.discoveryUrl' (https://user:pw@oidc.example.com) must be the https:// service-account " +
      'issuer URL of the cluster, without credentials, query or fragment');
    throwsExactly(() => backend({ kubernetesAuth: { ...auth, tokenValidation: VaultTokenValidation.oidcDiscovery({ discoveryUrl: 'https://oidc.example.com' }) } }),
      "VaultPkiBackend: 'kubernetesAuth.tokenValidation' and 'kubernetesAuth.kubernetesHost'/'kubernetesCaCertPem' are both given; " +
      'put the API server into VaultTokenValidation.tokenReview() or drop it');
    throwsExactly(() => backend({ kubernetesAuth: jwtAuth }),
      "VaultPkiBackend: 'kubernetesAuth' needs 'tokenValidation' or 'kubernetesHost': VaultTokenValidation.tokenReview() when Vault runs " +
      'in the cluster, VaultTokenValidation.serviceAccountIssuerKeys() or oidcDiscovery() when it runs outside');
  });
});

describe('VaultPkiBackend', () => {
  describe('route 1: intermediate for istiod', () => {
    it('defines a pki mount and an internal root whose key never leaves Vault', () => {
      const { text, json } = backend();
      const t = text();
      assert.ok(Testing.toHaveResourceWithProperties(t, 'vault_mount', { path: 'pki', type: 'pki', max_lease_ttl_seconds: 87600 * 3600 }));
      assert.ok(Testing.toHaveResourceWithProperties(t, 'vault_pki_secret_backend_root_cert', {
        type: 'internal', common_name: 'Mesh Root', ttl: '87600h', key_type: 'ec', key_bits: 384,
      }));
      assert.ok(Testing.toHaveResourceWithProperties(t, 'vault_pki_secret_backend_config_urls', {
        issuing_certificates: ['https://vault.example.com:8200/v1/pki/ca'],
        crl_distribution_points: ['https://vault.example.com:8200/v1/pki/crl'],
      }));
      const r = json().resource;
      assert.equal(r.vault_pki_secret_backend_role, undefined, 'route 1 defines no leaf role');
      assert.equal(r.vault_mount.istio_intermediate_mount, undefined);
      matchSnapshot('vault-pki-backend-route1', t);
    });

    it('pins every Terraform address', () => {
      const r = backend().json().resource;
      const addresses = Object.entries(r).flatMap(([type, byName]) => Object.keys(byName as object).map((n) => `${type}.${n}`)).sort();
      assert.deepEqual(addresses, [
        'vault_auth_backend.istio_kubernetes_auth',
        'vault_kubernetes_auth_backend_config.istio_kubernetes_auth_config',
        'vault_kubernetes_auth_backend_role.istio_cert_manager_role',
        'vault_mount.istio_root_mount',
        'vault_pki_secret_backend_config_urls.istio_root_urls',
        'vault_pki_secret_backend_root_cert.istio_root_ca',
        'vault_policy.istio_sign_policy',
      ]);
    });

    it('grants create/update on exactly root/sign-intermediate, with the requested ttl pinned to the intermediate lifetime (policy parsed as HCL)', async () => {
      const { b, json } = backend();
      const hcl = json().resource.vault_policy.istio_sign_policy.policy;
      assert.equal(hcl, b.policyHcl);
      const parsed = await parse('policy.hcl', hcl);
      assert.deepEqual(Object.keys(parsed.path), ['pki/root/sign-intermediate']);
      assert.deepEqual(parsed.path['pki/root/sign-intermediate'], [{
        capabilities: ['create', 'update'], required_parameters: ['ttl'], allowed_parameters: { ttl: ['8760h0m0s'], '*': [] },
      }]);
      assert.equal(b.signPath, 'pki/root/sign-intermediate');
      // An issuer asking for another lifetime would get 403 from Vault: refused at synth.
      throwsExactly(() => b.checkIssuer(issuer('pki/root/sign-intermediate'), [{ label: "IstioCustomCa intermediate 'duration'", lifetime: Duration.hours(17520) }]),
        "VaultPkiBackend: IstioCustomCa intermediate 'duration' (17520h) is not 'signedIntermediateTtl' (8760h), the only ttl the Vault " +
        'policy lets cert-manager request at the sign-intermediate path; Vault would answer 403. Make them equal');
    });

    it('binds the auth role to one ServiceAccount and namespace, with audience and short token TTL, and no reviewer JWT', () => {
      const { json } = backend();
      const r = json().resource;
      assert.deepEqual(r.vault_auth_backend.istio_kubernetes_auth.type, 'kubernetes');
      const config = r.vault_kubernetes_auth_backend_config.istio_kubernetes_auth_config;
      assert.equal(config.kubernetes_host, 'https://10.0.0.1:443');
      assert.equal(config.token_reviewer_jwt, undefined);
      const role = r.vault_kubernetes_auth_backend_role.istio_cert_manager_role;
      assert.deepEqual(role.bound_service_account_names, ['vault-issuer']);
      assert.deepEqual(role.bound_service_account_namespaces, ['cert-manager']);
      assert.equal(role.audience, 'vault://vault-istio');
      assert.equal(role.token_ttl, 600);
      assert.equal(role.role_name, 'cert-manager-istio');
      assert.deepEqual(role.token_policies, ['${vault_policy.istio_sign_policy.name}']);
    });

    it('keeps the token out of the provider', () => {
      const { json } = backend();
      assert.deepEqual(json().provider.vault, [{ address: 'https://vault.example.com:8200' }]);
    });

    it('adopts an existing root mount without defining a mount or root', () => {
      const { json, b } = backend({ root: VaultRoot.existing({ mountPath: 'corp-pki' }) });
      const r = json().resource;
      assert.equal(r.vault_mount, undefined);
      assert.equal(r.vault_pki_secret_backend_root_cert, undefined);
      assert.equal(r.vault_pki_secret_backend_config_urls.istio_root_urls.backend, 'corp-pki');
      assert.equal(b.signPath, 'corp-pki/root/sign-intermediate');
    });

    it('refuses settings an adopted root would silently ignore: its mount max lease TTL, another mount path', () => {
      const existing = VaultRoot.existing({ mountPath: 'corp-pki' });
      throwsExactly(() => backend({ root: existing, rootMaxLeaseTtl: Duration.hours(100000) }),
        "VaultPkiBackend: 'rootMaxLeaseTtl' (100000h) only applies to a generated root; set it on the existing mount in Vault, or remove it");
      throwsExactly(() => backend({ root: existing, rootMountPath: 'pki' }),
        "VaultPkiBackend: 'rootMountPath' (pki) differs from the existing root's 'mountPath' (corp-pki); remove rootMountPath: an adopted " +
        'root stays on its own mount');
      assert.equal(backend({ root: existing, rootMountPath: 'corp-pki' }).b.rootMountPath, 'corp-pki');
    });

    it('exports the root key only on explicit opt-in, with a warning', () => {
      const { s, json } = backend({ root: VaultRoot.generate({ commonName: 'r', exportPrivateKey: true }) });
      assert.equal(json().resource.vault_pki_secret_backend_root_cert.istio_root_ca.type, 'exported');
      const warnings = s.node.findAll().flatMap((c) => c.node.metadata).filter((m) => m.type === '@cdktf/warn').map((m) => m.data);
      assert.equal(warnings.length, 1);
      assert.match(String(warnings[0]), /root private key of pki will be stored in Terraform state/);
    });
  });

  describe('route 2: leaves for istio-csr', () => {
    const route2 = (props: Partial<VaultPkiBackendProps> = {}) => backend({ route: VaultPkiRoute.LEAVES_FOR_ISTIO_CSR, ...props });

    it('signs an internal intermediate in Vault and imports it with the root, so ca_chain ends at the root', () => {
      const { json, text } = route2();
      const r = json().resource;
      assert.equal(r.vault_mount.istio_intermediate_mount.path, 'pki_int');
      assert.equal(r.vault_pki_secret_backend_intermediate_cert_request.istio_intermediate_csr.type, 'internal');
      const signed = r.vault_pki_secret_backend_root_sign_intermediate.istio_intermediate_signed;
      assert.equal(signed.backend, '${vault_mount.istio_root_mount.path}');
      assert.equal(signed.max_path_length, 0);
      assert.equal(r.vault_pki_secret_backend_intermediate_set_signed.istio_intermediate_set_signed.certificate,
        '${vault_pki_secret_backend_root_sign_intermediate.istio_intermediate_signed.certificate}\n${vault_pki_secret_backend_root_cert.istio_root_ca.certificate}');
      assert.equal(json().output.istio_root_ca_pem.value, '${vault_pki_secret_backend_root_cert.istio_root_ca.certificate}');
      matchSnapshot('vault-pki-backend-route2', text());
    });

    it('defines a leaf role for SPIFFE IDs of the trust domain, no CN, serving-cert DNS, both EKUs and max_ttl', () => {
      const t = route2().text();
      assert.ok(Testing.toHaveResourceWithProperties(t, 'vault_pki_secret_backend_role', {
        name: 'istio-workload',
        allowed_uri_sans: ['spiffe://mesh.example.com/ns/*/sa/*'],
        require_cn: false,
        allowed_domains: ['istio-system.svc', 'cert-manager.svc'],
        allow_subdomains: true,
        server_flag: true,
        client_flag: true,
        max_ttl: '24h',
        no_store: true,
      }));
    });

    it('grants exactly the role sign path', async () => {
      const { b, json } = route2();
      const parsed = await parse('p.hcl', json().resource.vault_policy.istio_sign_policy.policy);
      assert.deepEqual(Object.keys(parsed.path), ['pki_int/sign/istio-workload']);
      assert.equal(b.signPath, 'pki_int/sign/istio-workload');
    });

    it('adds more leaf roles, each granted in the policy', async () => {
      const { b, json } = route2();
      assert.equal(b.addLeafRole('tenant-a', { maxTtl: Duration.hours(2) }), 'pki_int/sign/tenant-a');
      const r = json().resource;
      assert.equal(r.vault_pki_secret_backend_role.istio_leaf_role_tenant_a.max_ttl, '2h');
      const parsed = await parse('p.hcl', r.vault_policy.istio_sign_policy.policy);
      assert.deepEqual(Object.keys(parsed.path), ['pki_int/sign/istio-workload', 'pki_int/sign/tenant-a']);
    });
  });

  describe('cross-checks with the cert-manager issuer', () => {
    it('accepts the matching issuer', () => {
      backend().b.checkIssuer(issuer('pki/root/sign-intermediate'), [{ label: 'x', lifetime: Duration.hours(8760) }]);
    });
    it('fails when the issuer path is not granted by the policy', () => {
      throwsExactly(() => backend().b.checkIssuer(issuer('pki/issuer/other/sign-intermediate')),
        "VaultPkiBackend: CertManagerIssuer vault-istio 'path' (pki/issuer/other/sign-intermediate) is not granted by Vault policy " +
        'istio-cert-manager-sign (pki/root/sign-intermediate); point the issuer at the sign path of this backend');
    });
    it('fails when the issuer mountPath is not /v1/auth/<auth backend path>', () => {
      throwsExactly(() => backend().b.checkIssuer(issuer('pki/root/sign-intermediate', { mountPath: '/v1/auth/k8s' })),
        "VaultPkiBackend: CertManagerIssuer vault-istio auth 'mountPath' (/v1/auth/k8s) must be '/v1/auth/kubernetes', the " +
        "Kubernetes auth mount of this backend ('kubernetesAuth.path' kubernetes)");
    });
    it('fails when the auth role differs', () => {
      throwsExactly(() => backend().b.checkIssuer(issuer('pki/root/sign-intermediate', { role: 'other' })),
        "VaultPkiBackend: CertManagerIssuer vault-istio auth 'role' (other) must equal 'kubernetesAuth.roleName' (cert-manager-istio)");
    });
    it('fails when the bound ServiceAccount differs', () => {
      throwsExactly(() => backend().b.checkIssuer(issuer('pki/root/sign-intermediate', { sa: 'other-sa' })),
        'VaultPkiBackend: CertManagerIssuer vault-istio uses ServiceAccount cert-manager/other-sa, but the Vault auth role binds ' +
        "cert-manager/vault-issuer ('kubernetesAuth.serviceAccountNamespace'/'serviceAccountName'); make them the same, or Vault answers 403");
    });
    it('fails when the audience differs', () => {
      throwsExactly(() => backend().b.checkIssuer(issuer('pki/root/sign-intermediate', { name: 'renamed' })),
        'VaultPkiBackend: CertManagerIssuer renamed requests tokens for audience vault://renamed, but the Vault auth role expects ' +
        "'kubernetesAuth.audience' (vault://vault-istio); set the audience to vault://renamed");
    });
    it('fails when a requested lifetime exceeds the role max_ttl (Vault would cap it silently)', () => {
      throwsExactly(() => backend({ route: VaultPkiRoute.LEAVES_FOR_ISTIO_CSR, leafMaxTtl: Duration.hours(72) }).b.checkIssuer(
        issuer('pki_int/sign/istio-workload'), [{ label: "Certificate 'duration'", lifetime: Duration.hours(720) }]),
      "VaultPkiBackend: Certificate 'duration' (720h) exceeds role istio-workload 'leafMaxTtl' (72h); Vault would silently cap it " +
      '(docs/reference.md §4.3); raise the Vault limit or shorten the lifetime');
    });
    it('fails when the intermediate exceeds the root mount max lease TTL', () => {
      throwsExactly(() => backend({ root: VaultRoot.generate({ commonName: 'r', ttl: Duration.hours(4380) }) }).b.checkIssuer(
        issuer('pki/root/sign-intermediate'), [{ label: "intermediate 'duration'", lifetime: Duration.hours(8760) }]),
      "VaultPkiBackend: intermediate 'duration' (8760h) exceeds mount pki 'rootMaxLeaseTtl' (4380h); Vault would silently cap it " +
      '(docs/reference.md §4.3); raise the Vault limit or shorten the lifetime');
    });
    it('fails on a trust domain that differs', () => {
      throwsExactly(() => backend().b.checkTrustDomain('IstioCustomCa', 'cluster.local'),
        "VaultPkiBackend: IstioCustomCa trust domain (cluster.local) differs from the Vault backend's 'trustDomain' (mesh.example.com); " +
        'the CA issues SPIFFE IDs of its own trust domain, so peers would reject each other; use one trust domain everywhere');
    });
  });

  describe('validation', () => {
    it('fails when the mount max lease TTL is below the root TTL', () => {
      throwsExactly(() => backend({ rootMaxLeaseTtl: Duration.hours(8760) }),
        "VaultPkiBackend: 'rootMaxLeaseTtl' (8760h) of mount pki must be at least the root 'ttl' (87600h), or Vault caps the root " +
        'to the mount; raise rootMaxLeaseTtl or shorten the root ttl');
    });
    it('fails when the Vault intermediate outlives the root', () => {
      throwsExactly(() => backend({ route: VaultPkiRoute.LEAVES_FOR_ISTIO_CSR, intermediateTtl: Duration.hours(87600) }),
        "VaultPkiBackend: 'intermediateTtl' (87600h) must be shorter than the root ttl (87600h); Vault cannot sign an intermediate " +
        'that outlives its root; shorten intermediateTtl');
    });
    it('fails when leaves could outlive the Vault intermediate', () => {
      throwsExactly(() => backend({ route: VaultPkiRoute.LEAVES_FOR_ISTIO_CSR, intermediateTtl: Duration.hours(24), leafMaxTtl: Duration.hours(24) }),
        "VaultPkiBackend: 'leafMaxTtl' (24h) must be shorter than 'intermediateTtl' (24h); a leaf cannot outlive its issuer");
    });
    it('fails when the intermediate mount is the root mount', () => {
      throwsExactly(() => backend({ route: VaultPkiRoute.LEAVES_FOR_ISTIO_CSR, intermediateMountPath: 'pki' }),
        "VaultPkiBackend: 'intermediateMountPath' (pki) must differ from 'rootMountPath'; the issuing CA needs its own mount");
    });
    it('fails on a bad mount path', () => {
      throwsExactly(() => backend({ rootMountPath: '/pki/' }),
        "VaultPkiBackend: 'rootMountPath' (/pki/) is not a Vault mount path; use letters, digits, '_' and '-' in '/'-separated " +
        "segments, without leading or trailing '/' (e.g. pki or pki_int)");
    });
    it('fails on a plain-http Vault address', () => {
      throwsExactly(() => backend({ vaultAddress: 'http://vault:8200' }),
        "VaultPkiBackend: 'vaultAddress' (http://vault:8200) must be an https:// URL of the Vault server without a path, e.g. " +
        'https://vault.example.com:8200: a host, an optional port from 1 to 65535, and no credentials, query or fragment ' +
        "(it is copied into every certificate's issuing and CRL URLs); plain http would send CSRs and tokens unencrypted");
    });
    it('fails on an invalid trust domain', () => {
      throwsExactly(() => backend({ trustDomain: 'Mesh' }),
        "VaultPkiBackend: 'trustDomain' (Mesh) is not a trust domain that Istio accepts; every dot-separated part must be 1-63 " +
        "lowercase letters, digits or '-', starting and ending with a letter or digit (e.g. mesh.example.com)");
    });
    it('fails on something other than a PEM certificate as the Kubernetes CA', () => {
      throwsExactly(() => backend({ kubernetesAuth: { ...auth, kubernetesCaCertPem: 'eyJhbGciOi...' } }),
        "VaultPkiBackend: 'kubernetesAuth.kubernetesCaCertPem' must hold only PEM 'CERTIFICATE' blocks (the API server's CA certificate); " +
        'found no PEM block and other text. Never give a private key or a token');
    });
    it('fails on a non-https Kubernetes host', () => {
      throwsExactly(() => backend({ kubernetesAuth: { ...auth, kubernetesHost: 'kubernetes.default' } }),
        "VaultPkiBackend: 'kubernetesAuth.kubernetesHost' (kubernetes.default) must be the https:// URL of the Kubernetes API server, without credentials, query or fragment");
    });
    it('fails on an empty audience', () => {
      throwsExactly(() => backend({ kubernetesAuth: { ...auth, audience: '' } }),
        "VaultPkiBackend: 'kubernetesAuth.audience' () must not be empty; use CertManagerIssuer.vaultAudience");
    });
    it('fails on a next root without its own mount, and signing at a next root that does not exist', () => {
      throwsExactly(() => backend({ nextRoot: { mountPath: 'pki', commonName: 'B' } }),
        "VaultPkiBackend: 'nextRoot.mountPath' (pki) must differ from 'rootMountPath'; the new root needs its own mount so that the current one stays");
      throwsExactly(() => backend({ signWithNextRoot: true }), "VaultPkiBackend: 'signWithNextRoot' (true) needs 'nextRoot'; define the next root first");
      throwsExactly(() => backend({ route: VaultPkiRoute.LEAVES_FOR_ISTIO_CSR, signWithNextRoot: true }),
        "VaultPkiBackend: 'signWithNextRoot' (true) needs 'nextRoot'; define the next root first");
    });
    it('route 2 with a next root: a second intermediate under it, with the same leaf role; the policy follows the sign path', async () => {
      for (const signWithNextRoot of [false, true]) {
        const { b, json } = backend({ route: VaultPkiRoute.LEAVES_FOR_ISTIO_CSR, nextRoot: { mountPath: 'pki-next', commonName: 'B' }, signWithNextRoot });
        const r = json().resource;
        assert.equal(r.vault_mount.istio_next_intermediate_mount.path, 'pki_int_next');
        assert.equal(r.vault_pki_secret_backend_root_sign_intermediate.istio_next_intermediate_signed.backend, '${vault_mount.istio_next_root_mount.path}');
        assert.equal(r.vault_pki_secret_backend_root_sign_intermediate.istio_intermediate_signed.backend, '${vault_mount.istio_root_mount.path}');
        // Each intermediate is imported with its own root, so cert-manager's ca.crt is that root.
        assert.match(r.vault_pki_secret_backend_intermediate_set_signed.istio_next_intermediate_set_signed.certificate,
          /\$\{vault_pki_secret_backend_root_sign_intermediate\.istio_next_intermediate_signed\.certificate\}\n\$\{vault_pki_secret_backend_root_cert\.istio_next_root_ca\.certificate\}/);
        assert.deepEqual(r.vault_pki_secret_backend_role.istio_next_leaf_role.allowed_uri_sans, r.vault_pki_secret_backend_role.istio_leaf_role.allowed_uri_sans);
        const signPath = signWithNextRoot ? 'pki_int_next/sign/istio-workload' : 'pki_int/sign/istio-workload';
        assert.equal(b.signPath, signPath);
        assert.deepEqual(Object.keys((await parse('p.hcl', b.policyHcl)).path), [signPath]);
        assert.equal(b.addLeafRole('tenant'), signWithNextRoot ? 'pki_int_next/sign/tenant' : 'pki_int/sign/tenant');
      }
    });
    it('signs at the next root and checks lifetimes against its mount', () => {
      const { b } = backend({ nextRoot: { mountPath: 'pki-next', commonName: 'B', ttl: Duration.hours(4380) }, signWithNextRoot: true });
      assert.equal(b.signPath, 'pki-next/root/sign-intermediate');
      throwsExactly(() => b.checkIssuer(issuer('pki-next/root/sign-intermediate'), [{ label: "intermediate 'duration'", lifetime: Duration.hours(8760) }]),
        "VaultPkiBackend: intermediate 'duration' (8760h) exceeds mount pki-next of 'nextRoot' (4380h); Vault would silently cap it " +
        '(docs/reference.md §4.3); raise the Vault limit or shorten the lifetime');
    });
    it('fails on a bad logical id prefix', () => {
      throwsExactly(() => backend({ logicalIdPrefix: 'Istio-1' }),
        "VaultPkiBackend: 'logicalIdPrefix' (Istio-1) must be lowercase letters, digits and '_', starting with a letter");
    });
    it('refuses addLeafRole on route 1 and duplicate roles', () => {
      throwsExactly(() => backend().b.addLeafRole('x'),
        "VaultPkiBackend: addLeafRole('x') needs route LEAVES_FOR_ISTIO_CSR or LEAVES_FOR_KUBERNETES_CSR; route INTERMEDIATE_FOR_ISTIOD signs no leaves in Vault");
      throwsExactly(() => backend({ route: VaultPkiRoute.LEAVES_FOR_ISTIO_CSR }).b.addLeafRole('istio-workload'),
        "VaultPkiBackend: leaf role 'istio-workload' is defined twice; give each role a unique name");
    });
    it('fails on VaultRoot key bits the key type does not have, and on an empty common name', () => {
      throwsExactly(() => VaultRoot.generate({ commonName: 'r', keyType: VaultKeyType.RSA, keyBits: 384 }),
        "VaultRoot: 'keyBits' (384) is not valid for key type rsa; use 2048, 3072, 4096");
      throwsExactly(() => VaultRoot.generate({ commonName: '' }), "VaultRoot: 'commonName' () must be a certificate common name of 1 to 64 bytes without control characters (RFC 5280 ub-common-name); give the CA a short recognisable name");
    });
  });
});

describe('Vault names', () => {
  it('refuses role and policy names that cannot be Vault URL path segments', () => {
    throwsExactly(() => backend({ policyName: 'my policy' }),
      "VaultPkiBackend: 'policyName' (my policy) is not a Vault role or policy name; use 1-128 letters, digits, '_', '-' or '.', starting with a letter or digit");
    throwsExactly(() => backend({ kubernetesAuth: { ...auth, roleName: '../x' } }),
      "VaultPkiBackend: 'kubernetesAuth.roleName' (../x) is not a Vault role or policy name; use 1-128 letters, digits, '_', '-' or '.', starting with a letter or digit");
  });
});
