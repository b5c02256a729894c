import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chart, Duration, Testing as K8sTesting } from 'cdk8s';
import { Testing, TerraformStack } from 'cdktf';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { CaIntegration, CertManagerIssuer, IssuancePolicy, IssuerKind, IssuerSource, IstioCustomCa, MeshApp, RootCaBundle, VaultAuth } from '../src';
import { MeshPki, MeshPkiConfig, VaultPkiBackend, VaultPkiBackendProps, VaultPkiRoute, VaultRoot } from '../src/vault';
import { parseGoDuration } from '../src/model/durations';
import { globsCover } from '../src/model/vault-issuance';
import { ofKind, synth, throwsExactly } from './support';

// Item 5 of issue 15: what the approver-policy allows and what Vault signs must agree, checked at construction.

const CONFIG: MeshPkiConfig = {
  route: VaultPkiRoute.LEAVES_FOR_ISTIO_CSR,
  vaultAddress: 'https://vault.example.com:8200',
  kubernetesHost: 'https://kubernetes.example.com:6443',
  trustDomain: 'mesh.example.com',
  issuancePolicy: IssuancePolicy.approverPolicy(),
};

const AUTH = { kubernetesHost: 'https://10.0.0.1:443', roleName: 'r', serviceAccountName: 'vault-issuer', serviceAccountNamespace: 'istio-system', audience: 'vault://istio-system/vault-istio' };

/** A route-2 backend and a Vault Issuer at its sign path, composed by hand (no MeshPki). */
function standalone(props: Partial<VaultPkiBackendProps>) {
  const s = new TerraformStack(Testing.app(), 'stack');
  new VaultProvider(s, 'vault', { address: 'https://vault.example.com:8200' });
  const backend = new VaultPkiBackend(s, 'VaultPki', {
    trustDomain: 'mesh.example.com', vaultAddress: 'https://vault.example.com:8200', route: VaultPkiRoute.LEAVES_FOR_ISTIO_CSR,
    root: VaultRoot.generate({ commonName: 'Mesh Root' }), kubernetesAuth: AUTH, ...props,
  });
  const c = new Chart(K8sTesting.app(), 'c');
  const issuer = new CertManagerIssuer(c, 'vault-istio', {
    kind: IssuerKind.ISSUER, namespace: 'istio-system',
    source: IssuerSource.vault({ server: 'https://vault.example.com:8200', path: backend.signPath, auth: VaultAuth.kubernetes({ role: 'r', serviceAccountName: 'vault-issuer' }) }),
  });
  return { s, backend, issuer, c };
}

describe('Vault limits agree with the issuance policy', () => {
  it('route 2: the leaf role allows exactly the URI pattern the workload policy allows, and its max_ttl covers every policy', () => {
    const app = new MeshApp({ outdir: '/tmp/vault-issuance-unused' });
    const pki = new MeshPki(app, 'mesh', CONFIG);
    const tf = JSON.parse(Testing.synth(pki.stack, true));
    const role = tf.resource.vault_pki_secret_backend_role.istio_leaf_role;
    const policies = ofKind(synth(pki.chart), 'CertificateRequestPolicy');
    const workloads = policies.find((p: any) => p.metadata.name.endsWith('-istio-csr-workloads'));
    assert.deepEqual(role.allowed_uri_sans, workloads.spec.allowed.uris.values);
    assert.deepEqual(role.allowed_uri_sans, ['spiffe://mesh.example.com/ns/*/sa/*']);
    const maxTtl = parseGoDuration(String(role.max_ttl))!;
    assert.equal(policies.length, 3);
    for (const p of policies) {
      const max = parseGoDuration(p.spec.constraints.maxDuration)!;
      assert.ok(max <= maxTtl, `${p.metadata.name} maxDuration ${p.spec.constraints.maxDuration} within role max_ttl ${role.max_ttl}`);
    }
  });

  it("a role max_ttl below istio-csr's serving certificate (1h, the chart's, not among checkIssuer's lifetimes) is refused", () => {
    const { backend, issuer, c } = standalone({ leafMaxTtl: Duration.minutes(45) });
    const ca = new IstioCustomCa(c, 'istio', {
      trustDomain: 'mesh.example.com',
      integration: CaIntegration.istioCsr({ issuer, rootCaBundle: RootCaBundle.fromConfigMap({ name: 'root' }), maxCertificateDuration: Duration.minutes(30) }),
    });
    backend.checkIssuer(issuer, [{ label: 'maxCertificateDuration', lifetime: Duration.minutes(30) }]);
    throwsExactly(() => backend.checkIssuance(issuer, ca),
      "VaultPkiBackend: issuance request 'istio-csr-serving' (istio-csr's own gRPC serving certificate) may last up to 1h (the policy's " +
      "maxDuration), but role istio-workload at pki_int/sign/istio-workload signs at most 45m ('leafMaxTtl') and caps longer requests " +
      "silently; raise 'leafMaxTtl' to at least 1h or shorten the request");
  });

  it('a role of another trust domain is refused', () => {
    const { backend, issuer, c } = standalone({ trustDomain: 'other.example.com' });
    const ca = new IstioCustomCa(c, 'istio', {
      trustDomain: 'mesh.example.com',
      integration: CaIntegration.istioCsr({ issuer, rootCaBundle: RootCaBundle.fromConfigMap({ name: 'root' }) }),
    });
    const where = 'role istio-workload at pki_int/sign/istio-workload';
    throwsExactly(() => backend.checkIssuance(issuer, ca),
      `VaultPkiBackend: issuance request 'istio-csr-workloads' (workload certificates istio-csr requests for sidecars) asks for URI SANs ` +
      `spiffe://mesh.example.com/ns/*/sa/*, which ${where} does not allow (allowed_uri_sans spiffe://other.example.com/ns/*/sa/*); ` +
      'Vault would refuse them; give the role and the mesh the same trust domain');
  });

  it("a role whose allowed domains miss istio-csr's serving name is refused", () => {
    const { backend, issuer, c } = standalone({ leafAllowedDnsDomains: ['istio-system.svc'] });
    const ca = new IstioCustomCa(c, 'istio', {
      trustDomain: 'mesh.example.com',
      integration: CaIntegration.istioCsr({ issuer, rootCaBundle: RootCaBundle.fromConfigMap({ name: 'root' }) }),
    });
    throwsExactly(() => backend.checkIssuance(issuer, ca),
      "VaultPkiBackend: issuance request 'istio-csr-serving' (istio-csr's own gRPC serving certificate) asks for DNS names " +
      'cert-manager-istio-csr.cert-manager.svc, which role istio-workload at pki_int/sign/istio-workload does not allow (subdomains of ' +
      "istio-system.svc); Vault would refuse them; add their domain to the role's allowed domains");
  });

  it('route 1: the cacerts request is a CA request within the pinned intermediate ttl', () => {
    const app = new MeshApp({ outdir: '/tmp/vault-issuance-unused' });
    const pki = new MeshPki(app, 'mesh', { ...CONFIG, route: VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD, intermediateDuration: Duration.hours(720),
      intermediateRenewBefore: Duration.hours(240), maxWorkloadCertTtl: Duration.hours(48) });
    const policy = ofKind(synth(pki.chart), 'CertificateRequestPolicy')[0];
    assert.equal(policy.spec.allowed.isCA, true);
    assert.equal(parseGoDuration(policy.spec.constraints.maxDuration), parseGoDuration(/"ttl" = \["([^"]+)"\]/.exec(pki.backend.policyHcl)![1]));
  });
});

describe('globsCover (Vault allowed_uri_sans globs vs approver-policy patterns)', () => {
  it('covers exactly the patterns whose every expansion the globs match', () => {
    assert.equal(globsCover(['spiffe://td/*'], 'spiffe://td/ns/*/sa/*'), true);
    assert.equal(globsCover(['spiffe://td/ns/*/sa/*'], 'spiffe://td/ns/*/sa/*'), true);
    assert.equal(globsCover(['spiffe://td/ns/*/sa/*'], 'spiffe://td/*'), false);
    assert.equal(globsCover(['spiffe://td/ns/*/sa/*'], 'spiffe://td/ns/a/sa/b'), true);
    assert.equal(globsCover(['spiffe://td/ns/*/sa/*'], 'spiffe://tdx/ns/a/sa/b'), false);
    assert.equal(globsCover(['spiffe://t.d/*'], 'spiffe://tXd/ns/a'), false, 'a dot is literal');
    assert.equal(globsCover([], 'spiffe://td/ns/a/sa/b'), false);
  });
});
