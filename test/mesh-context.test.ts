/** Sibling constructs follow the mesh's IstioCustomCa (Istio version, trust domain) instead of defaulting (Issue 12 item 4). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chart } from 'cdk8s';
import { CaIntegration, CaPinnedDestination, DestinationTrust, IstioCustomCa, MeshApp, PermissivePeerAuth } from '../src';

function mesh(props: { istioVersion?: string; trustDomain?: string } = {}) {
  const app = new MeshApp({ outdir: '/tmp/unused' });
  const c = new Chart(app, 'mesh');
  const ca = new IstioCustomCa(c, 'istio-ca', { integration: CaIntegration.manualPluginCa(), ...props });
  return { app, c, ca };
}
const peers = (trustDomain?: string) => DestinationTrust.meshPeers({ trustDomain, peers: [{ namespace: 'shop', serviceAccount: 'payments' }] });

describe('sibling constructs follow the mesh', () => {
  it('PermissivePeerAuth and CaPinnedDestination take the mesh Istio version (v1beta1 before 1.22)', () => {
    const { c } = mesh({ istioVersion: '1.21' });
    const pa = new PermissivePeerAuth(c, 'legacy', { namespace: 'shop', selector: { app: 'a' }, reason: 'r' });
    const dr = new CaPinnedDestination(c, 'payments', { host: 'payments', namespace: 'shop', trust: peers() });
    assert.equal((pa.node.defaultChild as any).apiVersion, 'security.istio.io/v1beta1');
    assert.equal((dr.node.defaultChild as any).apiVersion, 'networking.istio.io/v1beta1');
  });

  it('CaPinnedDestination builds SPIFFE IDs in the mesh trust domain', () => {
    const { c } = mesh({ trustDomain: 'mesh.example.com' });
    const dr = new CaPinnedDestination(c, 'payments', { host: 'payments', namespace: 'shop', trust: peers() });
    assert.deepEqual((dr.node.defaultChild as any).toJson().spec.trafficPolicy.tls.subjectAltNames, ['spiffe://mesh.example.com/ns/shop/sa/payments']);
  });

  it('a sibling that disagrees with the mesh is refused, naming both', () => {
    const { c } = mesh({ istioVersion: '1.30', trustDomain: 'mesh.example.com' });
    assert.throws(() => new PermissivePeerAuth(c, 'legacy', { namespace: 'shop', selector: { app: 'a' }, reason: 'r', istioVersion: '1.21' }),
      /^Error: PermissivePeerAuth \(mesh\/legacy\): 'istioVersion' \(1\.21\) differs from istioVersion 1\.30 of the mesh's IstioCustomCa \(mesh\/istio-ca\)/);
    assert.throws(() => new CaPinnedDestination(c, 'payments', { host: 'payments', namespace: 'shop', trust: peers('other.example.com') }),
      /'trustDomain' \(other\.example\.com\) differs from trustDomain mesh\.example\.com of the mesh's IstioCustomCa \(mesh\/istio-ca\)/);
  });

  it('a sibling built before the mesh with another version fails at synth, saying how to fix it', () => {
    const app = new MeshApp({ outdir: '/tmp/unused' });
    const c = new Chart(app, 'mesh');
    new PermissivePeerAuth(c, 'legacy', { namespace: 'shop', selector: { app: 'a' }, reason: 'r' });
    new IstioCustomCa(c, 'istio-ca', { integration: CaIntegration.manualPluginCa(), istioVersion: '1.21' });
    assert.throws(() => app.renderOutput(), /PermissivePeerAuth \(mesh\/legacy\) was built for istioVersion 1\.30, but the mesh's IstioCustomCa \(mesh\/istio-ca\) has 1\.21; create the IstioCustomCa first, or pass istioVersion/);
  });
});
