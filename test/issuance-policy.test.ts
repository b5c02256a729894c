import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chart, Duration } from 'cdk8s';
import {
  CaIntegration, CertManagerIssuer, CsrSigner, IssuancePolicy, IssuerKind, IssuerSource, IstioCustomCa, IstioCustomCaProps, MeshApp, RootCaBundle,
} from '../src';
import { FIXTURES } from './pki-fixtures';
import { chart, ofKind, one, synth, throwsExactly, validateAll } from './support';

const NS = 'istio-system';

function issuer(c: Chart): CertManagerIssuer {
  return new CertManagerIssuer(c, 'mesh-ca', { kind: IssuerKind.ISSUER, namespace: NS, source: IssuerSource.ca({ secretName: 'mesh-ca' }) });
}

function istioCsr(props: Partial<IstioCustomCaProps> = {}, c = chart()) {
  new IstioCustomCa(c, 'istio', {
    trustDomain: 'corp.example',
    integration: CaIntegration.istioCsr({ issuer: issuer(c), rootCaBundle: RootCaBundle.fromConfigMap({ name: 'mesh-root' }), maxCertificateDuration: Duration.hours(2) }),
    workloadCertTtl: Duration.hours(2),
    ...props,
  });
  return { c, objs: synth(c) };
}

function pluginCa(props: Partial<IstioCustomCaProps> = {}, c = chart()) {
  new IstioCustomCa(c, 'istio', {
    integration: CaIntegration.certManagerPluginCa({ issuer: issuer(c), duration: Duration.hours(8760), commonName: 'corp-istio-ica' }),
    ...props,
  });
  return { c, objs: synth(c) };
}

/** Each policy is bound by exactly one RoleBinding, to exactly one ServiceAccount, through a Role naming only it. */
function bindings(objs: any[]): Map<string, string> {
  const bound = new Map<string, string>();
  for (const p of ofKind(objs, 'CertificateRequestPolicy')) {
    const roles = ofKind(objs, 'Role').filter((r) => r.rules.some((rule: any) => rule.resourceNames?.includes(p.metadata.name)));
    assert.equal(roles.length, 1, `one Role grants use on ${p.metadata.name}`);
    assert.deepEqual(roles[0].rules, [{
      apiGroups: ['policy.cert-manager.io'], resources: ['certificaterequestpolicies'], verbs: ['use'], resourceNames: [p.metadata.name],
    }]);
    const rbs = ofKind(objs, 'RoleBinding').filter((b) => b.roleRef.name === roles[0].metadata.name && b.metadata.namespace === roles[0].metadata.namespace);
    assert.equal(rbs.length, 1, `one RoleBinding for ${p.metadata.name}`);
    assert.equal(rbs[0].subjects.length, 1, `exactly one requester for ${p.metadata.name}`);
    const s = rbs[0].subjects[0];
    assert.equal(s.kind, 'ServiceAccount');
    bound.set(p.metadata.name, `${s.namespace}/${s.name}`);
  }
  return bound;
}

describe('IssuancePolicy', () => {
  it('istio-csr: workloads and istio-csr serving bound to istio-csr, istiod to cert-manager; schema-valid', async () => {
    const { objs } = istioCsr({ issuancePolicy: IssuancePolicy.approverPolicy() });
    await validateAll(objs);
    assert.deepEqual(Object.fromEntries(bindings(objs)), {
      'istio-custom-ca-istio-system-istio-csr-workloads': 'cert-manager/cert-manager-istio-csr',
      'istio-custom-ca-istio-system-istio-csr-serving': 'cert-manager/cert-manager-istio-csr',
      'istio-custom-ca-istio-system-istiod': 'cert-manager/cert-manager',
    });
    const w = one(objs, 'CertificateRequestPolicy', 'istio-custom-ca-istio-system-istio-csr-workloads');
    assert.deepEqual(w.spec.allowed, {
      uris: { values: ['spiffe://corp.example/ns/*/sa/*'], required: true },
      // Istio's CSR template carries one empty Organization: without it every sidecar request is denied.
      subject: { organizations: { values: [''] } },
      usages: ['client auth', 'server auth'],
    });
    assert.equal(w.spec.allowed.isCA, undefined, 'isCA is not allowed');
    assert.deepEqual(w.spec.constraints, { maxDuration: '2h' });
    assert.deepEqual(w.spec.selector, { issuerRef: { name: 'mesh-ca', kind: 'Issuer', group: 'cert-manager.io' }, namespace: { matchNames: [NS] } });
    const d = one(objs, 'CertificateRequestPolicy', 'istio-custom-ca-istio-system-istiod');
    assert.deepEqual(d.spec.allowed.uris.values, ['spiffe://corp.example/ns/istio-system/sa/istiod-service-account']);
    assert.deepEqual(d.spec.allowed.commonName, { value: 'istiod.istio-system.svc', required: true });
    for (const r of ofKind(objs, 'Role')) assert.equal(r.metadata.namespace, NS, 'Roles live where the requests are made');
  });

  it('plug-in CA: the cacerts request alone, isCA, its exact lifetime, bound to the configured cert-manager controller', async () => {
    const { objs } = pluginCa({ issuancePolicy: IssuancePolicy.approverPolicy({ certManagerNamespace: 'pki', certManagerServiceAccount: 'cm' }) });
    await validateAll(objs);
    assert.deepEqual(Object.fromEntries(bindings(objs)), { 'istio-custom-ca-istio-system-cacerts': 'pki/cm' });
    const p = one(objs, 'CertificateRequestPolicy', 'istio-custom-ca-istio-system-cacerts');
    const cert = one(objs, 'Certificate', 'cacerts');
    assert.deepEqual(p.spec.allowed, { commonName: { value: cert.spec.commonName, required: true }, isCA: true, usages: cert.spec.usages });
    assert.deepEqual(p.spec.constraints, { minDuration: cert.spec.duration, maxDuration: cert.spec.duration });
    assert.deepEqual(p.spec.selector.issuerRef, cert.spec.issuerRef);
  });

  it('NOTES.md: the policies, their requesters and how (and at what cost) to turn the default approver off', () => {
    const app = new MeshApp({ outdir: '/tmp/unused' });
    istioCsr({ issuancePolicy: IssuancePolicy.approverPolicy() }, new Chart(app, 'c'));
    const notes = app.renderInstallFiles().find((f) => f.fileName === 'NOTES.md')!.content;
    assert.match(notes, /`istio-custom-ca-istio-system-istio-csr-workloads`: .* requested by `cert-manager\/cert-manager-istio-csr`/);
    assert.match(notes, /disableAutoApproval=true/);
    assert.match(notes, /-certificaterequests-approver/);
    assert.match(notes, /every CertificateRequest in the\n\s+cluster .* stays pending/);
    const plain = new MeshApp({ outdir: '/tmp/unused' });
    pluginCa({}, new Chart(plain, 'c'));
    assert.match(plain.renderInstallFiles().find((f) => f.fileName === 'NOTES.md')!.content, /cert-manager approves every CertificateRequest by default/);
  });

  it('the default emits no policy objects', () => {
    const { objs } = istioCsr();
    assert.equal(ofKind(objs, 'CertificateRequestPolicy').length, 0);
  });

  it('Kubernetes CSR: NOTES.md says what the signer must enforce; approverPolicy is refused', () => {
    const app = new MeshApp({ outdir: '/tmp/unused' });
    const c = new Chart(app, 'c');
    const k8sCsr = () => CaIntegration.kubernetesCsr({ signer: CsrSigner.named('example.com/mesh-signer'), rootCaPem: FIXTURES.rootA });
    new IstioCustomCa(c, 'istio', { integration: k8sCsr() });
    const notes = app.renderInstallFiles().find((f) => f.fileName === 'NOTES.md')!.content;
    assert.match(notes, /## Issuance policy: what the signer controller must enforce/);
    assert.match(notes, /system:serviceaccount:istio-system:istiod/);
    throwsExactly(() => new IstioCustomCa(chart(), 'istio', { integration: k8sCsr(), issuancePolicy: IssuancePolicy.approverPolicy() }),
      "IstioCustomCa (test/istio): 'issuancePolicy' (approverPolicy) cannot be used here: istiod creates and approves Kubernetes " +
      'CertificateSigningRequests itself; approver-policy approves cert-manager CertificateRequests only, so a CertificateRequestPolicy ' +
      'would govern nothing here (NOTES.md says what the signer must enforce)');
  });

  it('refuses approverPolicy with the manual plug-in CA, with ambient istio-csr, and bad controller names', () => {
    throwsExactly(() => new IstioCustomCa(chart(), 'istio', { integration: CaIntegration.manualPluginCa(), issuancePolicy: IssuancePolicy.approverPolicy() }),
      "IstioCustomCa (test/istio): 'issuancePolicy' (approverPolicy) cannot be used here: `cacerts` is created out of band, so no " +
      'CertificateRequest of this mesh passes through cert-manager and a CertificateRequestPolicy would govern nothing; enforce issuance at ' +
      'the CA that signs your intermediate');
    throwsExactly(() => istioCsr({ ambient: true, issuancePolicy: IssuancePolicy.approverPolicy() }),
      "IstioCustomCa (test/istio): 'issuancePolicy' (approverPolicy) cannot be used here: ztunnel's CSR subject depends on the TLS library " +
      'ztunnel was built with (ztunnel src/tls/csr.rs), which the library cannot verify for your ztunnel image, and a policy that does not ' +
      'allow it would stop every ambient workload from getting a certificate; use IssuancePolicy.certManagerDefaultApprover() with ambient');
    throwsExactly(() => pluginCa({ issuancePolicy: IssuancePolicy.approverPolicy({ certManagerNamespace: 'Bad_NS' }) }),
      "IstioCustomCa (test/istio): 'issuancePolicy certManagerNamespace' (Bad_NS) is not a valid Kubernetes namespace name; use at most 63 " +
      "lowercase letters, digits and '-', starting and ending with a letter or digit");
    throwsExactly(() => pluginCa({ issuancePolicy: IssuancePolicy.approverPolicy({ certManagerServiceAccount: 'Bad SA' }) }),
      "IstioCustomCa (test/istio): 'issuancePolicy certManagerServiceAccount' (Bad SA) is not a valid Kubernetes object name; use at most " +
      "253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit");
    throwsExactly(() => pluginCa({ issuancePolicy: 'approver-policy' as any }),
      "IstioCustomCa (test/istio): 'issuancePolicy' (approver-policy) must be IssuancePolicy.approverPolicy() or certManagerDefaultApprover()");
  });
});
