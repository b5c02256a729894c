import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chart, Duration } from 'cdk8s';
import {
  CaIntegration, CertManagerIssuer, IssuerKind, IssuerSource, IstioCustomCa, IstioCustomCaProps, KeyAlgorithm, MeshApp, VaultAuth,
  CertManagerPluginCaOptions,
} from '../src';
import { chart, matchSnapshot, one, synth, throwsExactly, validateAll, validateModel } from './support';

function setup(props: Partial<IstioCustomCaProps> = {}, plugin: Partial<CertManagerPluginCaOptions> = {}, c: Chart = chart()) {
  const issuer = plugin.issuer ?? new CertManagerIssuer(c, 'corp-ca', { source: IssuerSource.ca({ secretName: 'corp-ca' }) });
  const ca = new IstioCustomCa(c, 'istio-ca', { integration: CaIntegration.certManagerPluginCa({ ...plugin, issuer }), ...props });
  return { c, ca, issuer };
}

describe('IstioCustomCa with certManagerPluginCa', () => {
  it('defines the cacerts Certificate in the istiod namespace as a CA with a rotated key', async () => {
    const { c, ca } = setup({}, { privateKey: { algorithm: KeyAlgorithm.ECDSA, size: 256 } });
    const objs = synth(c);
    await validateAll(objs);
    const cert = one(objs, 'Certificate', 'cacerts');
    assert.equal(cert.metadata.namespace, 'istio-system');
    assert.equal(cert.spec.secretName, 'cacerts');
    assert.equal(cert.spec.isCA, true);
    assert.equal(cert.spec.duration, '8760h');
    assert.equal(cert.spec.renewBefore, '2160h');
    assert.deepEqual(cert.spec.privateKey, { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' });
    assert.deepEqual(cert.spec.usages, ['digital signature', 'key encipherment', 'cert sign']);
    assert.deepEqual(cert.spec.issuerRef, { name: 'corp-ca', kind: 'Issuer', group: 'cert-manager.io' });
    assert.equal((ca.node.defaultChild as any).kind, 'Certificate');
    matchSnapshot('istio-custom-ca', objs);
  });

  it('puts workload lifetimes on the proxies and the cap on istiod', async () => {
    const { ca } = setup({ trustDomain: 'mesh.example.com', workloadCertTtl: Duration.hours(12), gracePeriodRatio: 0.4, maxWorkloadCertTtl: Duration.hours(48) });
    const iop: any = ca.toIstioOperator();
    await validateModel(iop);
    assert.equal(iop.apiVersion, 'install.istio.io/v1alpha1');
    assert.equal(iop.kind, 'IstioOperator');
    assert.deepEqual(iop.spec.meshConfig, {
      trustDomain: 'mesh.example.com',
      defaultConfig: { proxyMetadata: { SECRET_TTL: '12h', SECRET_GRACE_PERIOD_RATIO: '0.4' } },
    });
    assert.deepEqual(iop.spec.values, { pilot: { env: { MAX_WORKLOAD_CERT_TTL: '48h' } } });
    const helm: any = ca.toIstiodHelmValues();
    assert.deepEqual(helm, { meshConfig: iop.spec.meshConfig, env: { MAX_WORKLOAD_CERT_TTL: '48h' } });
  });

  it('in ambient mode gives ztunnel the workload lifetime (no CA address: istiod stays the CA)', () => {
    const app = new MeshApp({ outdir: '/tmp/unused' });
    const { ca } = setup({ ambient: true, workloadCertTtl: Duration.hours(12) }, {}, new Chart(app, 'mesh'));
    assert.deepEqual(ca.toZtunnelHelmValues(), { env: { SECRET_TTL: '12h' } });
    assert.deepEqual((ca.toIstioOperator() as any).spec.values.ztunnel, { env: { SECRET_TTL: '12h' } });
    assert.ok(app.renderInstallFiles().some((f) => f.fileName === 'ztunnel-values.yaml'));
    assert.equal(setup().ca.toZtunnelHelmValues(), undefined);
  });

  it('uses defaults that match Istio', () => {
    const { ca } = setup();
    const iop: any = ca.toIstioOperator();
    assert.deepEqual(iop.spec.meshConfig.defaultConfig.proxyMetadata, { SECRET_TTL: '24h', SECRET_GRACE_PERIOD_RATIO: '0.5' });
    assert.equal(iop.spec.meshConfig.trustDomain, 'cluster.local');
    assert.equal(iop.spec.values.pilot.env.MAX_WORKLOAD_CERT_TTL, '2160h');
  });

  it('nests Helm values under pilot before 1.24 (the 1.22/1.23 charts read only pilot.*), and turns cacerts reload on for 1.15–1.17 only', () => {
    const v = (istioVersion: string): any => setup({ istioVersion }).ca.toIstiodHelmValues();
    assert.deepEqual(v('1.17').pilot, { env: { MAX_WORKLOAD_CERT_TTL: '2160h', AUTO_RELOAD_PLUGIN_CERTS: 'true' } });
    assert.equal(v('1.17').env, undefined);
    assert.deepEqual(v('1.18').pilot, { env: { MAX_WORKLOAD_CERT_TTL: '2160h' } });
    assert.deepEqual(v('1.23').pilot, { env: { MAX_WORKLOAD_CERT_TTL: '2160h' } });
    assert.equal(v('1.23').env, undefined);
    assert.deepEqual(v('1.24').env, { MAX_WORKLOAD_CERT_TTL: '2160h' });
    assert.equal(v('1.24').pilot, undefined);
  });

  it('never emits a setting that Istio ignores (docs/reference.md §11)', () => {
    const { ca } = setup({ istioVersion: '1.16' });
    const text = JSON.stringify([ca.toIstioOperator(), ca.toIstiodHelmValues()]);
    for (const bad of ['"ca":', 'CITADEL_ENABLE_CA_SERVER', 'secretTtl', 'VAULT_', 'ISTIO_META_CERT_SIGNER', 'pilotCertProvider']) {
      assert.ok(!text.includes(bad), `${bad} must not be emitted`);
    }
    // SECRET_* belong to the agent, never to istiod's env
    assert.ok(!JSON.stringify((ca.toIstioOperator() as any).spec.values).includes('SECRET_'));
  });

  it('writes the install config to install/, not among the manifests', () => {
    const app = new MeshApp({ outdir: '/tmp/unused' });
    setup({}, {}, new Chart(app, 'mesh'));
    const files = app.renderInstallFiles();
    assert.deepEqual(files.map((f) => f.fileName), ['NOTES.md', 'istio-operator.yaml', 'istiod-values.yaml']);
    assert.ok(app.charts[0].toJson().every((o: any) => o.kind !== 'IstioOperator'));
    matchSnapshot('istio-custom-ca-install', files.map((f) => f.content).join('---\n'));
  });

  describe('validation', () => {
    it('fails when workloadCertTtl exceeds maxWorkloadCertTtl', () => {
      throwsExactly(() => setup({ workloadCertTtl: Duration.hours(48), maxWorkloadCertTtl: Duration.hours(24) }, { duration: Duration.hours(720), renewBefore: Duration.hours(240) }),
        "IstioCustomCa: 'workloadCertTtl' (48h) must not exceed 'maxWorkloadCertTtl' (24h), or istiod rejects every CSR with " +
        'TTL_ERROR; raise maxWorkloadCertTtl or shorten workloadCertTtl');
    });
    it('reports independent mesh props together, numbered, so they are fixed in one round', () => {
      throwsExactly(() => setup({ trustDomain: 'Bad_Domain', istioVersion: '2.0', gracePeriodRatio: 2 }),
        "IstioCustomCa: 3 problems: (1) 'trustDomain' (Bad_Domain) is not a trust domain that Istio accepts; every dot-separated " +
        "part must be 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit (e.g. mesh.example.com); " +
        "(2) 'istioVersion' (2.0) is not a supported Istio version; give '1.<minor>' (e.g. 1.30; patch releases share their minor's " +
        "facts) with minor 10 or later; (3) 'gracePeriodRatio' (2) must be greater than 0 and less than 1; it is the fraction of a " +
        "workload certificate's life left when the proxy renews it (Istio default 0.5)");
    });
    it('fails when gracePeriodRatio is not strictly between 0 and 1', () => {
      for (const r of [0, 1, 1.5, -0.1]) {
        throwsExactly(() => setup({ gracePeriodRatio: r }),
          `IstioCustomCa: 'gracePeriodRatio' (${r}) must be greater than 0 and less than 1; it is the fraction of a workload ` +
          "certificate's life left when the proxy renews it (Istio default 0.5)");
      }
    });
    it('fails when renewBefore is not shorter than duration', () => {
      throwsExactly(() => setup({}, { duration: Duration.hours(8760), renewBefore: Duration.hours(8760) }),
        "IstioCustomCa: 'renewBefore' (8760h) must be shorter than 'duration' (8760h); cert-manager ignores a renewBefore that " +
        'is not; shorten renewBefore or lengthen duration');
    });
    it('fails when the intermediate does not outlive the longest workload certificate', () => {
      throwsExactly(() => setup({}, { duration: Duration.hours(2160), renewBefore: Duration.hours(720) }),
        "IstioCustomCa: 'duration' (2160h) of the intermediate must exceed 'maxWorkloadCertTtl' (2160h), because a workload " +
        'certificate cannot outlive its signer; lengthen the intermediate duration or lower maxWorkloadCertTtl');
    });
    it('fails when renewBefore does not cover one workload certificate lifetime', () => {
      throwsExactly(() => setup({ workloadCertTtl: Duration.hours(24), maxWorkloadCertTtl: Duration.hours(48) }, { duration: Duration.hours(720), renewBefore: Duration.hours(12) }),
        "IstioCustomCa: 'renewBefore' (12h) of the intermediate must be at least 'workloadCertTtl' (24h), so that leaves " +
        'signed just before renewal expire before the old intermediate does; raise renewBefore or shorten workloadCertTtl');
    });
    it('fails on an intermediate shorter than cert-manager allows', () => {
      throwsExactly(() => setup({ workloadCertTtl: Duration.minutes(10), maxWorkloadCertTtl: Duration.minutes(20) }, { duration: Duration.minutes(30), renewBefore: Duration.minutes(15) }),
        "IstioCustomCa: 'duration' (30m) must be at least 1h (cert-manager's minimum Certificate duration)");
    });
    it('sets the jitter only from Istio 1.24, and bounds it', () => {
      assert.equal((setup({ gracePeriodRatioJitter: 0.05 }).ca.toIstioOperator() as any).spec.meshConfig.defaultConfig.proxyMetadata.SECRET_GRACE_PERIOD_RATIO_JITTER, '0.05');
      throwsExactly(() => setup({ gracePeriodRatioJitter: 0.05, istioVersion: '1.23' }),
        "IstioCustomCa: 'istioVersion' (1.23) cannot be used with 'gracePeriodRatioJitter': it needs Istio 1.24 or later, because " +
        "istio-agent reads SECRET_GRACE_PERIOD_RATIO_JITTER (default 0.01) only there (docs/reference.md §5.1); target Istio 1.24 " +
        "or later, or remove 'gracePeriodRatioJitter'");
      throwsExactly(() => setup({ gracePeriodRatioJitter: 0.6 }),
        "IstioCustomCa: 'gracePeriodRatioJitter' (0.6) must be at least 0 and below both 'gracePeriodRatio' and 1 - gracePeriodRatio " +
        '(0.5), or renewal could start at once or never (Istio default 0.01)');
    });
    it('fails on a non-positive lifetime', () => {
      throwsExactly(() => setup({ workloadCertTtl: Duration.hours(0) }), "IstioCustomCa: 'workloadCertTtl' (0s) must be at least 5m (shorter workload certificates make every proxy re-fetch within minutes)");
    });
    it('fails on an invalid trust domain', () => {
      throwsExactly(() => setup({ trustDomain: 'My_Mesh' }),
        "IstioCustomCa: 'trustDomain' (My_Mesh) is not a trust domain that Istio accepts; every dot-separated part must be 1-63 " +
        "lowercase letters, digits or '-', starting and ending with a letter or digit (e.g. mesh.example.com)");
    });
    it('fails on an invalid istio namespace', () => {
      throwsExactly(() => setup({ istioNamespace: 'Istio' }),
        "IstioCustomCa: 'istioNamespace' (Istio) is not a valid Kubernetes namespace name; use at most 63 lowercase letters, " +
        "digits and '-', starting and ending with a letter or digit");
    });
    it('refuses Istio versions that cannot read a TLS-layout cacerts', () => {
      throwsExactly(() => setup({ istioVersion: '1.14' }),
        "IstioCustomCa: 'istioVersion' (1.14) cannot be used with CaIntegration.certManagerPluginCa: it needs Istio 1.15 or later, " +
        "because istiod reads a kubernetes.io/tls 'cacerts' Secret (tls.crt, tls.key, ca.crt) only there (docs/reference.md §1.1; " +
        'istio releasenotes/notes/k8s-tls-secret-cacerts.yaml); target a supported Istio version or choose another integration');
    });
    it('refuses malformed Istio versions', () => {
      throwsExactly(() => setup({ istioVersion: 'latest' }),
        "IstioCustomCa: 'istioVersion' (latest) is not a supported Istio version; give '1.<minor>' (e.g. 1.30; patch releases share " +
        "their minor's facts) with minor 10 or later");
    });
    it('refuses a namespaced Issuer outside the istiod namespace', () => {
      const c = chart();
      const issuer = new CertManagerIssuer(c, 'team-ca', { kind: IssuerKind.ISSUER, namespace: 'team-a', source: IssuerSource.ca({ secretName: 's' }) });
      throwsExactly(() => setup({}, { issuer }, c),
        "IstioCustomCa: 'issuer' (Issuer team-a/team-ca) is a namespaced Issuer outside 'istioNamespace' (istio-system), so it " +
        'cannot sign \'cacerts\' there; use a ClusterIssuer or an Issuer in istio-system');
    });
    it('refuses a Vault role sign path, which cannot issue CA certificates', () => {
      const c = chart();
      const issuer = new CertManagerIssuer(c, 'vault', {
        source: IssuerSource.vault({ server: 'https://vault:8200', path: 'pki_int/sign/istio', auth: VaultAuth.kubernetes({ role: 'r', serviceAccountName: 'vault-issuer' }) }),
      });
      throwsExactly(() => setup({}, { issuer }, c),
        "IstioCustomCa: 'issuer' path (pki_int/sign/istio) is a Vault role sign path, which only issues leaf certificates " +
        "(CA:FALSE), so it cannot issue the Istio intermediate; point the issuer at '<mount>/root/sign-intermediate'");
    });
    it('refuses an intermediate that outlives its self-signed root', () => {
      const c = chart();
      const issuer = new CertManagerIssuer(c, 'root', { source: IssuerSource.selfSignedRoot({ commonName: 'r', duration: Duration.hours(4000) }) });
      throwsExactly(() => setup({}, { issuer }, c),
        "IstioCustomCa: the self-signed root of 'issuer' (root) lives 4000h, which must exceed the intermediate 'duration' " +
        "(8760h), because a CA cannot issue a certificate that outlives it; lengthen the root or shorten the intermediate duration");
    });
    it('refuses two control-plane configs in one MeshApp', () => {
      const app = new MeshApp({ outdir: '/tmp/unused' });
      const c = new Chart(app, 'mesh');
      setup({}, {}, c);
      const issuerB = new CertManagerIssuer(c, 'corp-ca-b', { namespace: 'istio-b', source: IssuerSource.ca({ secretName: 'corp-ca' }) });
      new IstioCustomCa(c, 'second', { integration: CaIntegration.certManagerPluginCa({ issuer: issuerB }), istioNamespace: 'istio-b' });
      assert.throws(() => app.renderInstallFiles(), {
        message: "MeshApp: install file 'istio-operator.yaml' is produced by both mesh/istio-ca/IstioOperator and " +
          'mesh/second/IstioOperator; use one IstioCustomCa per MeshApp (one per Istio control plane) and unique names',
      });
    });
  });
});
