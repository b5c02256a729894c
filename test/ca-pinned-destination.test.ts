import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CaPinnedDestination, CaPinnedDestinationProps, DestinationTrust } from '../src';
import { lintDocuments } from '../src/lint/lint';
import { parseDocuments } from '../src/lint/documents';
import { toYaml } from '../src';
import { chart, matchSnapshot, one, synth, throwsExactly, validateAll } from './support';

function make(props: Partial<CaPinnedDestinationProps> & { trust: DestinationTrust }) {
  const c = chart();
  const d = new CaPinnedDestination(c, 'payments', { host: 'payments.shop.svc.cluster.local', namespace: 'shop', ...props });
  return { d, objs: synth(c) };
}

describe('CaPinnedDestination', () => {
  it('pins in-mesh peers by SPIFFE ID under ISTIO_MUTUAL (networking.istio.io/v1)', async () => {
    const { d, objs } = make({ trust: DestinationTrust.meshPeers({ trustDomain: 'mesh.example.com', peers: [{ namespace: 'shop', serviceAccount: 'payments' }] }) });
    await validateAll(objs);
    const dr = one(objs, 'DestinationRule');
    assert.equal(dr.apiVersion, 'networking.istio.io/v1');
    assert.deepEqual(dr.spec.trafficPolicy.tls, { mode: 'ISTIO_MUTUAL', subjectAltNames: ['spiffe://mesh.example.com/ns/shop/sa/payments'] });
    assert.equal((d.node.defaultChild as any).kind, 'DestinationRule');
    matchSnapshot('ca-pinned-destination', objs);
    // and the linter agrees (no ICA008)
    assert.deepEqual(lintDocuments(parseDocuments('dr.yaml', objs.map((o) => toYaml(o)).join('---\n'))), []);
  });

  it('pins a foreign CA with MUTUAL and files, or a credentialName with a workloadSelector', async () => {
    const files = make({ trust: DestinationTrust.externalCaFiles({ caCertificates: '/etc/certs/ca.pem', clientCertificate: '/etc/certs/cert.pem', privateKey: '/etc/certs/key.pem', subjectAltNames: ['payments.example.com'] }) });
    await validateAll(files.objs);
    assert.deepEqual(one(files.objs, 'DestinationRule').spec.trafficPolicy.tls, {
      mode: 'MUTUAL', caCertificates: '/etc/certs/ca.pem', clientCertificate: '/etc/certs/cert.pem', privateKey: '/etc/certs/key.pem', subjectAltNames: ['payments.example.com'],
    });
    const cred = make({ trust: DestinationTrust.externalCaCredential({ credentialName: 'payments-client', sni: 'payments.example.com' }), workloadSelector: { app: 'checkout' } });
    await validateAll(cred.objs);
    const dr = one(cred.objs, 'DestinationRule');
    assert.deepEqual(dr.spec.trafficPolicy.tls, { mode: 'MUTUAL', credentialName: 'payments-client', sni: 'payments.example.com' });
    assert.deepEqual(dr.spec.workloadSelector, { matchLabels: { app: 'checkout' } });
  });

  it('uses v1beta1 before Istio 1.22', async () => {
    const { objs } = make({ trust: DestinationTrust.meshPeers({ peers: [{ namespace: 'a', serviceAccount: 'b' }] }), istioVersion: '1.21' });
    await validateAll(objs);
    assert.equal(one(objs, 'DestinationRule').apiVersion, 'networking.istio.io/v1beta1');
  });

  describe('validation', () => {
    it('refuses ISTIO_MUTUAL with caCertificates and says why', () => {
      throwsExactly(() => DestinationTrust.meshPeers({ peers: [{ namespace: 'a', serviceAccount: 'b' }], caCertificates: '/etc/certs/custom-ca.crt' }),
        "CaPinnedDestination: 'caCertificates' (/etc/certs/custom-ca.crt) cannot pin a CA with ISTIO_MUTUAL: Pilot keeps only subjectAltNames, " +
        'sni and insecureSkipVerify and always trusts the mesh root from SDS, so the file would be silently ignored (docs/reference.md §8.3, ' +
        '§11 j); narrow peers with their SPIFFE IDs, or use MUTUAL (DestinationTrust.externalCaFiles()) for a foreign CA');
    });
    it('requires a workloadSelector for credentialName at sidecars', () => {
      throwsExactly(() => make({ trust: DestinationTrust.externalCaCredential({ credentialName: 'c' }) }),
        "CaPinnedDestination: 'workloadSelector' (undefined) is required with a credentialName at sidecars: Istio reads the Secret for " +
        "sidecars only when the DestinationRule selects workloads (docs/reference.md §8.3); set workloadSelector, or forGateway: true");
      make({ trust: DestinationTrust.externalCaCredential({ credentialName: 'c' }), forGateway: true });
    });
    it('refuses relative file paths, empty peers and bad hosts', () => {
      throwsExactly(() => DestinationTrust.externalCaFiles({ caCertificates: 'ca.pem', clientCertificate: '/c', privateKey: '/k' }),
        "CaPinnedDestination: 'caCertificates' (ca.pem) must be an absolute file path inside the proxy, e.g. /etc/certs/caCertificates.pem");
      throwsExactly(() => DestinationTrust.meshPeers({ peers: [] }), "CaPinnedDestination: 'peers' ([]) is empty; name at least one namespace and ServiceAccount");
      throwsExactly(() => make({ host: 'Bad Host', trust: DestinationTrust.meshPeers({ peers: [{ namespace: 'a', serviceAccount: 'b' }] }) }),
        "CaPinnedDestination: 'host' (Bad Host) must be a service name or DNS name Istio accepts (lowercase labels of at most 63 letters, digits and '-', an optional leading '*.'), e.g. payments or payments.shop.svc.cluster.local");
    });
  });
});
