import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chart, Duration, Testing } from 'cdk8s';
import * as ica from '../src';
import { CaIntegration, CertManagerIssuer, CsrSigner, IssuerKind, IssuerSource, IstioCustomCa, KeyAlgorithm, MeshApp, VaultAuth } from '../src';
import { chart, matchSnapshot, one, synth, throwsExactly, validateAll } from './support';

const vaultSource = () => IssuerSource.vault({
  server: 'https://vault.example.com:8200',
  path: 'pki/root/sign-intermediate',
  auth: VaultAuth.kubernetes({ role: 'cert-manager-istio', serviceAccountName: 'vault-issuer' }),
  caBundleSecretRef: { name: 'vault-ca' },
});

describe('CertManagerIssuer', () => {
  it('is exported from the package root with its factories', () => {
    assert.equal(typeof ica.CertManagerIssuer, 'function');
    assert.equal(typeof ica.IssuerSource.ca, 'function');
    assert.equal(typeof ica.VaultAuth.kubernetes, 'function');
  });

  describe('IssuerSource.ca', () => {
    it('defaults to a namespaced Issuer in istiod\'s namespace, never a ClusterIssuer (Issue 11: the mesh CA is closed to other namespaces)', async () => {
      const c = chart();
      const issuer = new CertManagerIssuer(c, 'corp-ca', { source: IssuerSource.ca({ secretName: 'corp-intermediate' }) });
      const objs = synth(c);
      assert.equal(objs.filter((o) => o.kind === 'ClusterIssuer').length, 0);
      assert.equal(one(objs, 'Issuer', 'corp-ca').metadata.namespace, 'istio-system');
      assert.deepEqual(issuer.issuerRef, { name: 'corp-ca', kind: 'Issuer', group: 'cert-manager.io' });
    });

    it('defines a cluster-scoped CA ClusterIssuer with no namespace, even in a namespaced chart (opt-in)', async () => {
      const c = new Chart(Testing.app(), 'test', { namespace: 'istio-system' });
      const issuer = new CertManagerIssuer(c, 'corp-ca', { kind: IssuerKind.CLUSTER_ISSUER, source: IssuerSource.ca({ secretName: 'corp-intermediate' }) });
      const objs = synth(c);
      await validateAll(objs);
      const ci = one(objs, 'ClusterIssuer', 'corp-ca');
      assert.deepEqual(ci.spec, { ca: { secretName: 'corp-intermediate' } });
      assert.equal(ci.metadata.namespace, undefined);
      assert.deepEqual(issuer.issuerRef, { name: 'corp-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
      assert.equal(issuer.secretNamespace, 'cert-manager');
      // escape hatch: the issuer is the default child
      assert.equal((issuer.node.defaultChild as any).kind, 'ClusterIssuer');
    });

    it('defines a namespaced Issuer in its namespace', async () => {
      const c = chart();
      const issuer = new CertManagerIssuer(c, 'ns-ca', {
        kind: IssuerKind.ISSUER, namespace: 'istio-system', source: IssuerSource.ca({ secretName: 'ca-key-pair' }),
      });
      const objs = synth(c);
      await validateAll(objs);
      assert.equal(one(objs, 'Issuer', 'ns-ca').metadata.namespace, 'istio-system');
      assert.equal(issuer.secretNamespace, 'istio-system');
      assert.equal(issuer.vaultAudience, 'vault://istio-system/ns-ca');
    });
  });

  describe('IssuerSource.selfSignedRoot', () => {
    it('bootstraps SelfSigned issuer → root Certificate (isCA) → CA issuer', async () => {
      const c = chart();
      new CertManagerIssuer(c, 'mesh-root', {
        kind: IssuerKind.CLUSTER_ISSUER,
        source: IssuerSource.selfSignedRoot({ commonName: 'Mesh Root', privateKey: { algorithm: KeyAlgorithm.ECDSA, size: 384 } }),
      });
      const objs = synth(c);
      await validateAll(objs);
      assert.deepEqual(one(objs, 'ClusterIssuer', 'mesh-root-selfsigned').spec, { selfSigned: {} });
      const root = one(objs, 'Certificate', 'mesh-root-root');
      assert.equal(root.metadata.namespace, 'cert-manager');
      assert.equal(root.spec.isCA, true);
      assert.equal(root.spec.duration, '87600h');
      assert.equal(root.spec.secretName, 'mesh-root-root');
      assert.deepEqual(root.spec.privateKey, { algorithm: 'ECDSA', size: 384, rotationPolicy: 'Never' });
      assert.deepEqual(root.spec.issuerRef, { name: 'mesh-root-selfsigned', kind: 'ClusterIssuer', group: 'cert-manager.io' });
      assert.deepEqual(one(objs, 'ClusterIssuer', 'mesh-root').spec, { ca: { secretName: 'mesh-root-root' } });
      matchSnapshot('cert-manager-issuer', objs);
    });
  });

  describe('IssuerSource.vault', () => {
    it('uses projected-token Kubernetes auth and grants token creation for exactly that ServiceAccount', async () => {
      const c = chart();
      const issuer = new CertManagerIssuer(c, 'vault-istio', { kind: IssuerKind.CLUSTER_ISSUER, source: vaultSource() });
      const objs = synth(c);
      await validateAll(objs);
      assert.deepEqual(one(objs, 'ClusterIssuer', 'vault-istio').spec.vault, {
        server: 'https://vault.example.com:8200',
        path: 'pki/root/sign-intermediate',
        caBundleSecretRef: { name: 'vault-ca', key: 'ca.crt' },
        auth: { kubernetes: { role: 'cert-manager-istio', mountPath: '/v1/auth/kubernetes', serviceAccountRef: { name: 'vault-issuer' } } },
      });
      const sa = one(objs, 'ServiceAccount', 'vault-issuer');
      assert.equal(sa.metadata.namespace, 'cert-manager');
      assert.equal(sa.automountServiceAccountToken, false);
      const role = one(objs, 'Role', 'vault-issuer-token-creator');
      assert.deepEqual(role.rules, [{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: ['vault-issuer'], verbs: ['create'] }]);
      const binding = one(objs, 'RoleBinding', 'vault-issuer-token-creator');
      assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'cert-manager', namespace: 'cert-manager' }]);
      assert.equal(issuer.vaultAudience, 'vault://vault-istio');
      matchSnapshot('cert-manager-issuer-vault', objs);
    });

    it('refuses grantTokenReview, which cannot work with cert-manager tokens, and binds nothing cluster-wide', () => {
      throwsExactly(() => VaultAuth.kubernetes({ role: 'r', serviceAccountName: 'vault-issuer', grantTokenReview: true }),
        "VaultAuth: 'grantTokenReview' (true) cannot work: cert-manager requests the token for vault:// audiences only " +
        '(cert-manager internal/vault/vault.go), so the API server refuses it as the bearer of a TokenReview and the binding ' +
        'would only add privilege; run Vault outside the cluster with JWT auth (VaultTokenValidation.serviceAccountIssuerKeys() ' +
        'or oidcDiscovery()), or let an in-cluster Vault review with its own pod token');
      const c2 = chart();
      new CertManagerIssuer(c2, 'vault-int', { source: vaultSource() });
      assert.equal(synth(c2).filter((o) => o.kind === 'ClusterRoleBinding').length, 0);
    });

    it('classifies sign paths', () => {
      assert.equal(ica.IssuerSource.vaultSignPathKind('pki_int/sign/istio-workload'), ica.VaultSignPathKind.LEAF);
      assert.equal(ica.IssuerSource.vaultSignPathKind('pki/root/sign-intermediate'), ica.VaultSignPathKind.INTERMEDIATE);
      assert.equal(ica.IssuerSource.vaultSignPathKind('pki/issuer/default/sign-intermediate'), ica.VaultSignPathKind.INTERMEDIATE);
      assert.equal(ica.IssuerSource.vaultSignPathKind('/v1/pki/sign/x'), undefined);
    });
  });

  describe('validation', () => {
    it('fails on an invalid Issuer namespace', () => {
      assert.throws(() => new CertManagerIssuer(chart(), 'x', { namespace: 'Istio_System', source: IssuerSource.ca({ secretName: 's' }) }),
        /^Error: CertManagerIssuer \([^)]+\): 'namespace' \(Istio_System\)/);
    });
    it('fails on a ClusterIssuer with namespace', () => {
      throwsExactly(() => new CertManagerIssuer(chart(), 'x', { kind: IssuerKind.CLUSTER_ISSUER, namespace: 'a', source: IssuerSource.ca({ secretName: 's' }) }),
        "CertManagerIssuer: 'namespace' (a) is not allowed for kind ClusterIssuer, which is cluster-scoped; remove it, or use kind " +
        "Issuer (its Secrets live in 'clusterResourceNamespace')");
    });
    it('fails on an invalid issuer name', () => {
      throwsExactly(() => new CertManagerIssuer(chart(), 'Corp_CA', { source: IssuerSource.ca({ secretName: 's' }) }),
        "CertManagerIssuer: 'name' (Corp_CA) is not a valid Kubernetes object name; use at most 253 lowercase letters, digits, " +
        "'-' and '.', starting and ending with a letter or digit");
    });
    it('fails on an invalid CA secret name', () => {
      throwsExactly(() => IssuerSource.ca({ secretName: 'Bad' }),
        "IssuerSource: 'secretName' (Bad) is not a valid Kubernetes object name; use at most 253 lowercase letters, digits, " +
        "'-' and '.', starting and ending with a letter or digit");
    });
    it('fails on an empty root common name', () => {
      throwsExactly(() => IssuerSource.selfSignedRoot({ commonName: ' ' }),
        "IssuerSource: 'commonName' ( ) must be a certificate common name of 1 to 64 bytes without control characters (RFC 5280 ub-common-name); give the CA a short recognisable name");
    });
    it('fails on a root shorter than cert-manager allows', () => {
      throwsExactly(() => IssuerSource.selfSignedRoot({ commonName: 'r', duration: Duration.minutes(30) }),
        "IssuerSource: 'duration' (30m) must be at least 1h (cert-manager's minimum Certificate duration)");
    });
    it('fails on a key size the algorithm does not have', () => {
      throwsExactly(() => new CertManagerIssuer(chart(), 'r', {
        source: IssuerSource.selfSignedRoot({ commonName: 'r', privateKey: { algorithm: KeyAlgorithm.ECDSA, size: 2048 } }),
      }), "CertManagerIssuer: 'privateKey.size' (2048) is not valid for ECDSA; use 256, 384 or 521");
    });
    it('fails on a plain-http Vault server', () => {
      throwsExactly(() => IssuerSource.vault({ server: 'http://vault:8200', path: 'pki/sign/r', auth: VaultAuth.kubernetes({ role: 'r', serviceAccountName: 's' }) }),
        "IssuerSource: 'server' (http://vault:8200) must be an https:// URL of the Vault server without a path, e.g. " +
        'https://vault.example.com:8200: a host, an optional port from 1 to 65535, and no credentials, query or fragment ' +
        "(it is copied into every certificate's issuing and CRL URLs); plain http would send CSRs and tokens unencrypted");
    });
    it('fails on a Vault path that is not a sign path', () => {
      throwsExactly(() => IssuerSource.vault({ server: 'https://vault:8200', path: '/v1/pki/issue/r', auth: VaultAuth.kubernetes({ role: 'r', serviceAccountName: 's' }) }),
        "IssuerSource: 'path' (/v1/pki/issue/r) must be a Vault sign path without '/v1/': '<mount>/sign/<role>' for leaves or " +
        "'<mount>/root/sign-intermediate' for an intermediate CA");
    });
    it('fails on a cdktf token in a Vault value', () => {
      throwsExactly(() => IssuerSource.vault({ server: 'https://vault:8200', path: '${TfToken[TOKEN.1]}', auth: VaultAuth.kubernetes({ role: 'r', serviceAccountName: 's' }) }),
        "IssuerSource: 'path' (${TfToken[TOKEN.1]}) is an unresolved cdktf token, which cdk8s would write verbatim; pass the " +
        'plain value from your typed config instead of a Terraform attribute');
    });
    it('fails on a mount path without the /v1/auth/ prefix', () => {
      throwsExactly(() => VaultAuth.kubernetes({ role: 'r', serviceAccountName: 's', mountPath: 'auth/kubernetes' }),
        "VaultAuth: 'mountPath' (auth/kubernetes) must be '/v1/auth/<mount>', cert-manager's form of the Kubernetes auth mount " +
        "path; e.g. '/v1/auth/kubernetes'");
    });
    it('fails on an empty Vault role', () => {
      throwsExactly(() => VaultAuth.kubernetes({ role: '', serviceAccountName: 's' }),
        "VaultAuth: 'role' () must name the Vault Kubernetes auth role");
    });
  });
});

describe('issuers you already run, referenced by name', () => {
  it('define nothing, give the issuerRef and signer name, and NOTES.md says what could not be checked', async () => {
    const app = new MeshApp({ outdir: '/tmp/unused' });
    const c = new Chart(app, 'mesh');
    const existing = CertManagerIssuer.fromIssuerName('istio-system', 'corp-intermediate');
    new IstioCustomCa(c, 'istio-ca', { integration: CaIntegration.certManagerPluginCa({ issuer: existing }) });
    const objs = c.toJson();
    assert.equal(objs.filter((o: any) => /Issuer$/.test(o.kind)).length, 0, 'nothing is defined for an existing issuer');
    assert.deepEqual(objs.find((o: any) => o.kind === 'Certificate').spec.issuerRef, { name: 'corp-intermediate', kind: 'Issuer', group: 'cert-manager.io' });
    const notes = app.renderInstallFiles().find((f) => f.fileName === 'NOTES.md')!.content;
    assert.match(notes, /## Issuer `corp-intermediate` is referenced by name: check it yourself/);
    assert.equal(CsrSigner.certManagerIssuer(CertManagerIssuer.fromClusterIssuerName('corp')).signerName.full, 'clusterissuers.cert-manager.io/corp');
    throwsExactly(() => CertManagerIssuer.fromIssuerName('Istio', 'x'),
      "CertManagerIssuer: 'namespace' (Istio) is not a valid Kubernetes namespace name; use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit");
  });
});

describe('Vault issuers sharing one ServiceAccount', () => {
  it('write its ServiceAccount and token Role once; extra token audiences reach serviceAccountRef.audiences', async () => {
    const c = chart();
    const vault = (name: string, path: string, audiences?: string[]) => new CertManagerIssuer(c, name, {
      kind: IssuerKind.ISSUER, namespace: 'istio-system',
      source: IssuerSource.vault({ server: 'https://vault.example.com', path, auth: VaultAuth.kubernetes({ role: 'r', serviceAccountName: 'vault-issuer', audiences }) }),
    });
    const first = vault('a', 'pki_int/sign/x');
    const second = vault('b', 'pki_int_next/sign/x', [first.vaultAudience]);
    const objs = synth(c);
    await validateAll(objs);
    assert.deepEqual(objs.map((o: any) => `${o.kind}/${o.metadata.name}`).sort(),
      ['Issuer/a', 'Issuer/b', 'Role/vault-issuer-token-creator', 'RoleBinding/vault-issuer-token-creator', 'ServiceAccount/vault-issuer']);
    assert.deepEqual(one(objs, 'Issuer', 'b').spec.vault.auth.kubernetes.serviceAccountRef, { name: 'vault-issuer', audiences: ['vault://istio-system/a'] });
    assert.deepEqual(second.vaultTokenAudiences, ['vault://istio-system/b', 'vault://istio-system/a']);
    throwsExactly(() => VaultAuth.kubernetes({ role: 'r', serviceAccountName: 's', audiences: [' '] }), "VaultAuth: 'audiences' holds an empty audience; remove it");
  });
});
