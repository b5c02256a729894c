import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chart, Duration } from 'cdk8s';
import {
  CaIntegration, CertManagerIssuer, CsrSigner, IssuerKind, IssuerSource, IstioCustomCa, IstioCustomCaProps, KubernetesCsrOptions, MeshApp,
} from '../src';
import { FIXTURES } from './pki-fixtures';
import { chart, matchSnapshot, ofKind, synth, throwsExactly, validateAll, validateModel } from './support';

const ROOT = FIXTURES.rootA;
const ROOT_B = FIXTURES.rootB;
const LEAF = FIXTURES.leaf;

function setup(props: Partial<IstioCustomCaProps> = {}, k: Partial<KubernetesCsrOptions> = {}, c: Chart = chart()) {
  const issuer = new CertManagerIssuer(c, 'istio-system', { kind: IssuerKind.CLUSTER_ISSUER, source: IssuerSource.ca({ secretName: 'signer-ca' }) });
  const ca = new IstioCustomCa(c, 'istio', {
    integration: CaIntegration.kubernetesCsr({ signer: CsrSigner.certManagerIssuer(issuer), rootCaPem: ROOT, ...k }),
    ...props,
  });
  return { c, ca, issuer };
}

describe('IstioCustomCa with kubernetesCsr', () => {
  it('makes istiod a Kubernetes CSR RA with the signer pinned to its root (§3)', async () => {
    const { ca } = setup();
    const iop: any = ca.toIstioOperator();
    await validateModel(iop);
    assert.deepEqual(iop.spec.values.pilot.env, {
      EXTERNAL_CA: 'ISTIOD_RA_KUBERNETES_API',
      K8S_SIGNER: 'clusterissuers.cert-manager.io/istio-system',
      CERT_SIGNER_DOMAIN: 'clusterissuers.cert-manager.io',
      MAX_WORKLOAD_CERT_TTL: '2160h',
    });
    // PILOT_CERT_PROVIDER replaces the chart's own entry: components.pilot.k8s.env, never values.pilot.env (§12.2).
    assert.deepEqual(iop.spec.components.pilot.k8s.env, [{ name: 'PILOT_CERT_PROVIDER', value: 'k8s.io/clusterissuers.cert-manager.io/istio-system' }]);
    assert.equal(iop.spec.meshConfig.defaultConfig.proxyMetadata.ISTIO_META_CERT_SIGNER, 'istio-system');
    assert.deepEqual(iop.spec.meshConfig.caCertificates, [{ pem: `${ROOT.replace(/\r\n/g, '\n').trim()}\n`, certSigners: ['clusterissuers.cert-manager.io/istio-system'] }]);
    assert.deepEqual(iop.spec.values.global.certSigners, ['clusterissuers.cert-manager.io/istio-system']);
    // global.pilotCertProvider stays istiod (sidecars mount istio-ca-root-cert only then); never 'kubernetes' (fatal since 1.23).
    const text = JSON.stringify([iop, ca.toIstiodHelmValues()]);
    assert.ok(!/pilotCertProvider/.test(text));
    assert.ok(!/kubernetes"/.test(text));
    const helm: any = ca.toIstiodHelmValues();
    assert.deepEqual(helm.global.certSigners, ['clusterissuers.cert-manager.io/istio-system']);
    assert.equal(helm.env.EXTERNAL_CA, 'ISTIOD_RA_KUBERNETES_API');
  });

  it('gives namespaces their own signer with a ProxyConfig, and lists every signer for RBAC and trust', async () => {
    const c = chart();
    const teamIssuer = new CertManagerIssuer(c, 'team-a-ca', { kind: IssuerKind.CLUSTER_ISSUER, source: IssuerSource.ca({ secretName: 'team-a-ca' }) });
    const { ca } = setup({}, { namespaceSigners: [{ namespace: 'team-a', signer: CsrSigner.certManagerIssuer(teamIssuer), rootCaPem: ROOT_B }] }, c);
    const objs = synth(c);
    await validateAll(objs);
    const pcs = ofKind(objs, 'ProxyConfig');
    assert.equal(pcs.length, 1);
    assert.equal(pcs[0].apiVersion, 'networking.istio.io/v1beta1');
    assert.equal(pcs[0].metadata.namespace, 'team-a');
    assert.deepEqual(pcs[0].spec, { environmentVariables: { ISTIO_META_CERT_SIGNER: 'team-a-ca' } });
    const iop: any = ca.toIstioOperator();
    assert.deepEqual(iop.spec.values.global.certSigners, ['clusterissuers.cert-manager.io/istio-system', 'clusterissuers.cert-manager.io/team-a-ca']);
    assert.equal(iop.spec.meshConfig.caCertificates.length, 2);
    matchSnapshot('kubernetes-csr', objs);
  });

  it('names namespaced cert-manager issuers as issuers.cert-manager.io/<ns>.<name>', () => {
    const c = chart();
    const nsIssuer = new CertManagerIssuer(c, 'signer', { kind: IssuerKind.ISSUER, namespace: 'istio-system', source: IssuerSource.ca({ secretName: 's' }) });
    assert.equal(CsrSigner.certManagerIssuer(nsIssuer).signerName.full, 'issuers.cert-manager.io/istio-system.signer');
    assert.equal(CsrSigner.certManagerIssuer(nsIssuer).signerName.shortName, 'istio-system.signer');
  });

  it("lets istiod `reference` each namespaced Issuer's signer (cert-manager's SubjectAccessReview), by name, in that namespace only", async () => {
    const c = chart();
    const own = new CertManagerIssuer(c, 'mesh', { kind: IssuerKind.ISSUER, namespace: 'istio-system', source: IssuerSource.ca({ secretName: 's' }) });
    const team = new CertManagerIssuer(c, 'team', { kind: IssuerKind.ISSUER, namespace: 'team-a', source: IssuerSource.ca({ secretName: 't' }) });
    new IstioCustomCa(c, 'istio', {
      integration: CaIntegration.kubernetesCsr({ signer: CsrSigner.certManagerIssuer(own), rootCaPem: ROOT, namespaceSigners: [
        { namespace: 'team-a', signer: CsrSigner.certManagerIssuer(team) }, { namespace: 'team-b', signer: CsrSigner.certManagerIssuer(own) }] }),
    });
    const objs = synth(c);
    await validateAll(objs);
    const roles = ofKind(objs, 'Role');
    assert.deepEqual(roles.map((r) => [r.metadata.namespace, r.metadata.name, r.rules[0].resourceNames, r.rules[0].verbs]), [
      ['istio-system', 'istio-custom-ca:reference-signer:mesh', ['mesh'], ['reference']],
      ['team-a', 'istio-custom-ca:reference-signer:team', ['team'], ['reference']],
    ]);
    for (const b of ofKind(objs, 'RoleBinding')) assert.deepEqual(b.subjects, [{ kind: 'ServiceAccount', name: 'istiod', namespace: 'istio-system' }]);
    // ClusterIssuers need no reference RBAC.
    assert.equal(ofKind(synth(setup().c), 'Role').length, 0);
  });

  it('says in NOTES.md that cert-manager needs its CSR controller feature gate', () => {
    const app = new MeshApp({ outdir: '/tmp/unused' });
    setup({}, {}, new Chart(app, 'mesh'));
    const notes = app.renderInstallFiles().find((f) => f.fileName === 'NOTES.md')!.content;
    assert.match(notes, /ExperimentalCertificateSigningRequestControllers=true/);
    const app2 = new MeshApp({ outdir: '/tmp/unused' });
    new IstioCustomCa(new Chart(app2, 'm'), 'x', { integration: CaIntegration.kubernetesCsr({ signer: CsrSigner.named('example.com/signer'), rootCaPem: ROOT }) });
    assert.doesNotMatch(app2.renderInstallFiles().find((f) => f.fileName === 'NOTES.md')!.content, /ExperimentalCertificateSigningRequestControllers/);
  });

  describe('validation', () => {
    it('refuses a root that is not a CA certificate', () => {
      assert.throws(() => setup({}, { rootCaPem: LEAF }), (e: Error) =>
        e.message === "IstioCustomCa (test/istio): 'rootCaPem' holds a certificate that is not a CA (subject CN=leaf, basicConstraints CA:FALSE); give the root CA certificate of the signer, not a leaf");
    });
    it('refuses text that is not PEM, and PEM that does not parse', () => {
      throwsExactly(() => setup({}, { rootCaPem: 'not a certificate' }),
        "IstioCustomCa: 'rootCaPem' must hold only PEM 'CERTIFICATE' blocks (public CA certificates); found no PEM block and other text. Never give a private key or a token");
      assert.throws(() => setup({}, { rootCaPem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }),
        /^Error: IstioCustomCa \([^)]+\): 'rootCaPem' holds a PEM block that is not a valid X.509 certificate/);
    });
    it('refuses built-in Kubernetes signers and malformed names', () => {
      throwsExactly(() => CsrSigner.named('kubernetes.io/legacy-unknown'),
        "CsrSigner: 'signer' (kubernetes.io/legacy-unknown) is a built-in Kubernetes signer, which cannot issue Istio workload " +
        'certificates (kubernetes.io/legacy-unknown is gone since Kubernetes 1.22, docs/reference.md §3); use a signer such as cert-manager');
      throwsExactly(() => CsrSigner.named('no-slash'),
        "CsrSigner: 'signer' (no-slash) is not a Kubernetes signer name; use '<domain>/<name>', e.g. clusterissuers.cert-manager.io/istio-system");
    });
    it('refuses namespace signers in another domain (one CERT_SIGNER_DOMAIN per istiod)', () => {
      throwsExactly(() => setup({}, { namespaceSigners: [{ namespace: 'a', signer: CsrSigner.named('example.com/x') }] }),
        "IstioCustomCa: 'namespaceSigners' signer (example.com/x) of namespace a is not in the domain of the default signer " +
        "(clusterissuers.cert-manager.io); istiod joins one CERT_SIGNER_DOMAIN with each proxy's ISTIO_META_CERT_SIGNER, so all signers must share it");
    });
    it('refuses a namespace listed twice, and one signer with two roots', () => {
      const s = CsrSigner.named('clusterissuers.cert-manager.io/x');
      throwsExactly(() => setup({}, { namespaceSigners: [{ namespace: 'a', signer: s }, { namespace: 'a', signer: s }] }),
        "IstioCustomCa: 'namespaceSigners' lists namespace a twice; give each namespace one signer");
      throwsExactly(() => setup({}, { namespaceSigners: [{ namespace: 'a', signer: s }, { namespace: 'b', signer: s, rootCaPem: ROOT_B }] }),
        'IstioCustomCa: signer clusterissuers.cert-manager.io/x is given two different roots; give one root per signer');
    });
    it('refuses Istio before 1.18, whose chart cannot grant the approve RBAC from global.certSigners', () => {
      throwsExactly(() => setup({ istioVersion: '1.17' }),
        "IstioCustomCa: 'istioVersion' (1.17) cannot be used with CaIntegration.kubernetesCsr: it needs Istio 1.18 or later, because " +
        'the istiod chart grants signers/approve from global.certSigners only there (docs/reference.md §3, §9; ' +
        'manifests/charts/istio-control/istio-discovery/templates/clusterrole.yaml); target a supported Istio version or choose another integration');
    });
    it('refuses ambient mode', () => {
      throwsExactly(() => setup({ ambient: true }),
        "IstioCustomCa: 'ambient' (true) is not supported with CaIntegration.kubernetesCsr: ztunnel has no equivalent of that " +
        "integration's proxy settings in docs/reference.md; use certManagerPluginCa or istioCsr in ambient meshes");
    });
    it('still checks workload lifetimes against MAX_WORKLOAD_CERT_TTL (the RA applies it)', () => {
      throwsExactly(() => setup({ workloadCertTtl: Duration.hours(48), maxWorkloadCertTtl: Duration.hours(24) }),
        "IstioCustomCa: 'workloadCertTtl' (48h) must not exceed 'maxWorkloadCertTtl' (24h), or istiod rejects every CSR with " +
        'TTL_ERROR; raise maxWorkloadCertTtl or shorten workloadCertTtl');
    });
  });
});
