import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chart, Duration } from 'cdk8s';
import {
  CaIntegration, CertManagerIssuer, IssuerKind, IssuerSource, IstioCsrOptions, IstioCustomCa, IstioCustomCaProps, MeshApp,
  RootCaBundle, TrustSource, VaultAuth,
} from '../src';
import { FIXTURES } from './pki-fixtures';
import { chart, matchSnapshot, one, synth, throwsExactly, validateAll, validateIstioCsrValues, validateModel } from './support';

function setup(props: Partial<IstioCustomCaProps> = {}, csr: Partial<IstioCsrOptions> = {}, c: Chart = chart()) {
  const issuer = csr.issuer ?? new CertManagerIssuer(c, 'istio-ca', { kind: IssuerKind.ISSUER, namespace: 'istio-system', source: IssuerSource.ca({ secretName: 'istio-ca' }) });
  const ca = new IstioCustomCa(c, 'istio', {
    integration: CaIntegration.istioCsr({ rootCaBundle: RootCaBundle.fromConfigMap({ name: 'istio-root-ca' }), ...csr, issuer }),
    trustDomain: 'mesh.example.com',
    ...props,
  });
  return { c, ca };
}

describe('IstioCustomCa with istioCsr', () => {
  it('points sidecars at istio-csr and turns istiod CA off, keeping pilotCertProvider istiod (§2b)', async () => {
    const { ca } = setup();
    const iop: any = ca.toIstioOperator();
    await validateModel(iop);
    assert.deepEqual(iop.spec.values.global, { caAddress: 'cert-manager-istio-csr.cert-manager.svc:443', pilotCertProvider: 'istiod' });
    assert.deepEqual(iop.spec.values.pilot.env, { ENABLE_CA_SERVER: 'false' });
    assert.deepEqual(iop.spec.meshConfig.defaultConfig.proxyMetadata, { SECRET_TTL: '1h', SECRET_GRACE_PERIOD_RATIO: '0.5' });
    const helm: any = ca.toIstiodHelmValues();
    assert.deepEqual(helm.env, { ENABLE_CA_SERVER: 'false' });
    assert.deepEqual(helm.global, iop.spec.values.global);
    const text = JSON.stringify([iop, helm]);
    for (const bad of ['CITADEL_ENABLE_CA_SERVER', 'ISTIO_META_CERT_SIGNER', 'MAX_WORKLOAD_CERT_TTL', 'secretTtl']) assert.ok(!text.includes(bad), bad);
  });

  it('writes istio-csr values that pass the chart schema, with the same trust domain and a pinned root', () => {
    const { ca } = setup({ clusterName: 'prod-eu-1' }, { maxCertificateDuration: Duration.hours(2), istiodCertificateDuration: Duration.hours(2) });
    const v: any = ca.toIstioCsrHelmValues();
    validateIstioCsrValues(v);
    assert.equal(v.app.tls.trustDomain, (ca.toIstioOperator() as any).spec.meshConfig.trustDomain);
    assert.deepEqual(v.app.certmanager.issuer, { name: 'istio-ca', kind: 'Issuer', group: 'cert-manager.io' });
    assert.equal(v.app.certmanager.namespace, 'istio-system');
    assert.equal(v.app.server.maxCertificateDuration, '2h');
    assert.equal(v.app.tls.istiodCertificateDuration, '2h');
    assert.equal(v.app.tls.rootCAFile, '/var/run/secrets/istio-csr/root-ca/ca.pem');
    assert.deepEqual(v.volumes, [{ name: 'root-ca', configMap: { name: 'istio-root-ca', items: [{ key: 'ca.pem', path: 'ca.pem' }] } }]);
    assert.deepEqual(v.app.tls.certificateDNSNames, ['cert-manager-istio-csr.cert-manager.svc']);
    // clusterID equals Istio's cluster name
    assert.equal(v.app.server.clusterID, 'prod-eu-1');
    assert.deepEqual((ca.toIstioOperator() as any).spec.values.global.multiCluster, { clusterName: 'prod-eu-1' });
    matchSnapshot('istio-csr-values', [v]);
  });

  it('the schema check can fail', () => {
    assert.throws(() => validateIstioCsrValues({ app: { tls: { trustDomian: 'typo' } } }), /must NOT have additional properties/);
  });

  it('assembles the pinned root with a trust-manager Bundle, never named istio-ca-root-cert', async () => {
    const c = chart();
    const root = FIXTURES.rootA;
    const { ca } = setup({}, { rootCaBundle: RootCaBundle.trustManager({ name: 'istio-root-ca', sources: [TrustSource.secret('mesh-root-root'), TrustSource.inline(root)] }) }, c);
    const objs = synth(c);
    await validateAll(objs);
    const b = one(objs, 'Bundle', 'istio-root-ca');
    assert.equal(b.metadata.namespace, undefined);
    assert.deepEqual(b.spec.sources[0], { secret: { name: 'mesh-root-root', key: 'ca.crt' } });
    assert.ok(b.spec.sources[1].inLine.startsWith('-----BEGIN CERTIFICATE-----'));
    assert.deepEqual(b.spec.target, { configMap: { key: 'ca.pem' }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'cert-manager' } } });
    validateIstioCsrValues(ca.toIstioCsrHelmValues());
    matchSnapshot('istio-csr', objs);
  });

  it('mounts a Secret root bundle by secretName', () => {
    const { ca } = setup({}, { rootCaBundle: RootCaBundle.fromSecret({ name: 'corp-roots' }) });
    const v: any = ca.toIstioCsrHelmValues();
    validateIstioCsrValues(v);
    assert.deepEqual(v.volumes[0].secret, { secretName: 'corp-roots', items: [{ key: 'ca.crt', path: 'ca.crt' }] });
    assert.equal(v.app.tls.rootCAFile, '/var/run/secrets/istio-csr/root-ca/ca.crt');
  });

  it('in ambient mode, gives ztunnel the CA address and lifetime, and trusts the ztunnel node account', () => {
    const { ca } = setup({ ambient: true });
    assert.deepEqual(ca.toZtunnelHelmValues(), { caAddress: 'cert-manager-istio-csr.cert-manager.svc:443', env: { SECRET_TTL: '1h' } });
    assert.deepEqual((ca.toIstioOperator() as any).spec.values.ztunnel, ca.toZtunnelHelmValues());
    const v: any = ca.toIstioCsrHelmValues();
    validateIstioCsrValues(v);
    assert.equal(v.app.server.caTrustedNodeAccounts, 'istio-system/ztunnel');
  });

  it('writes the istio-csr values and notes among the install files', () => {
    const app = new MeshApp({ outdir: '/tmp/unused' });
    setup({}, {}, new Chart(app, 'mesh'));
    const files = app.renderInstallFiles();
    assert.deepEqual(files.map((f) => f.fileName), ['NOTES.md', 'istio-csr-values.yaml', 'istio-operator.yaml', 'istiod-values.yaml']);
    assert.match(files[0].content, /Install istio-csr with `istio-csr-values.yaml` BEFORE Istio/);
    assert.match(files[1].content, /install istio-csr BEFORE Istio/);
  });

  describe('validation', () => {
    it('refuses istio-csr older than v0.13 with Istio 1.24+', () => {
      throwsExactly(() => setup({ istioVersion: '1.24' }, { version: 'v0.12.0' }),
        "IstioCustomCa: istio-csr 'version' (v0.12.0) cannot serve Istio 1.24: Istio 1.24 and later enforce gRPC ALPN, which older " +
        'istio-csr does not negotiate; install istio-csr v0.13.0 or later (docs/reference.md §2b)');
      setup({ istioVersion: '1.23' }, { version: 'v0.12.0' });
    });
    it('refuses istio-csr older than v0.12 in ambient mode', () => {
      throwsExactly(() => setup({ istioVersion: '1.23', ambient: true }, { version: 'v0.11.0' }),
        "IstioCustomCa: istio-csr 'version' (v0.11.0) cannot serve an ambient mesh: istio-csr serves ztunnel (ambient mode) from " +
        'v0.12.0; install istio-csr v0.12.0 or later');
    });
    it('refuses Istio before 1.16, which does not mount istiod-tls', () => {
      throwsExactly(() => setup({ istioVersion: '1.15' }),
        "IstioCustomCa: 'istioVersion' (1.15) cannot be used with CaIntegration.istioCsr: it needs Istio 1.16 or later, because the " +
        "istiod chart mounts the 'istiod-tls' Secret that istio-csr writes and istiod uses it automatically only there (docs/reference.md " +
        '§2b; istio@1.16.0 deployment.yaml, pilot/pkg/bootstrap/server.go hasCustomTLSCerts); target a supported Istio version or choose another integration');
    });
    it('refuses a malformed istio-csr version', () => {
      throwsExactly(() => setup({}, { version: 'latest' }), "IstioCustomCa: istio-csr 'version' (latest) is not a version; give e.g. v0.17.0");
    });
    it('refuses a workload TTL that istio-csr would cap', () => {
      throwsExactly(() => setup({ workloadCertTtl: Duration.hours(24) }),
        "IstioCustomCa: 'workloadCertTtl' (24h) exceeds istio-csr 'maxCertificateDuration' (1h), which caps every workload certificate, " +
        'so SECRET_TTL would not be honoured; lower workloadCertTtl or raise maxCertificateDuration');
    });
    it('refuses maxWorkloadCertTtl, which istiod ignores when it signs nothing', () => {
      throwsExactly(() => setup({ maxWorkloadCertTtl: Duration.hours(48) }),
        "IstioCustomCa: 'maxWorkloadCertTtl' (48h) has no effect with istio-csr, where istiod signs nothing (ENABLE_CA_SERVER=false); " +
        "remove it and bound lifetimes with istio-csr 'maxCertificateDuration'");
    });
    it('refuses an istiod certificate below cert-manager minimum, or renewBefore not shorter', () => {
      throwsExactly(() => setup({}, { istiodCertificateDuration: Duration.minutes(30) }),
        "IstioCustomCa: 'istiodCertificateDuration' (30m) must be at least 1h (cert-manager's minimum Certificate duration)");
      throwsExactly(() => setup({}, { istiodCertificateRenewBefore: Duration.hours(1) }),
        "IstioCustomCa: 'istiodCertificateRenewBefore' (1h) must be shorter than 'istiodCertificateDuration' (1h); cert-manager ignores " +
        'a renewBefore that is not; shorten renewBefore or lengthen duration');
    });
    it('refuses a Vault sign-intermediate issuer, which cannot sign SPIFFE leaves', () => {
      const c = chart();
      const issuer = new CertManagerIssuer(c, 'vault', {
        source: IssuerSource.vault({ server: 'https://vault:8200', path: 'pki/root/sign-intermediate', auth: VaultAuth.kubernetes({ role: 'r', serviceAccountName: 'vault-issuer' }) }),
      });
      throwsExactly(() => setup({}, { issuer }, c),
        "IstioCustomCa: 'issuer' path (pki/root/sign-intermediate) signs intermediate CAs, but istio-csr requests workload leaves with " +
        "SPIFFE URI SANs; point the issuer at a role path '<mount>/sign/<role>' that allows spiffe://<trustDomain>/ns/*/sa/*");
    });
    it('refuses a namespaced Issuer outside the namespace where istio-csr creates requests', () => {
      const c = chart();
      const issuer = new CertManagerIssuer(c, 'x', { kind: IssuerKind.ISSUER, namespace: 'team-a', source: IssuerSource.ca({ secretName: 's' }) });
      throwsExactly(() => setup({}, { issuer }, c),
        "IstioCustomCa: 'issuer' (Issuer team-a/x) is a namespaced Issuer outside 'istioNamespace' (istio-system), so it cannot sign " +
        'the CertificateRequests istio-csr creates there; use a ClusterIssuer or an Issuer in istio-system');
    });
    it('refuses a root bundle named istio-ca-root-cert', () => {
      throwsExactly(() => RootCaBundle.fromConfigMap({ name: 'istio-ca-root-cert' }),
        "RootCaBundle: 'name' (istio-ca-root-cert) is the ConfigMap istiod or istio-csr own and rewrite in every namespace " +
        '(docs/reference.md §6.5); choose another name, e.g. istio-root-ca');
    });
    it('refuses an empty trust-manager source list and non-CA inline roots', async () => {
      throwsExactly(() => RootCaBundle.trustManager({ name: 'r', sources: [] }), "RootCaBundle: 'sources' ([]) is empty; give at least one root source");
      assert.throws(() => TrustSource.inline('-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----'),
        { message: "TrustSource: 'pem' must hold only PEM 'CERTIFICATE' blocks (public CA certificates); found PRIVATE KEY. It contains a private key: keep keys out of IaC and rotate that key" });
    });
    it('refuses an invalid cluster name', () => {
      throwsExactly(() => setup({ clusterName: 'prod cluster' }),
        "IstioCustomCa: 'clusterName' (prod cluster) must be letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
    });
  });
});
