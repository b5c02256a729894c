import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chart } from 'cdk8s';
import { CacertsLayout, CaIntegration, IstioCustomCa, MeshApp } from '../src';
import { chart, synth, throwsExactly } from './support';

describe('IstioCustomCa with manualPluginCa', () => {
  it('configures only Istio: no cluster objects, plug-in CA env, layout documented in NOTES.md', () => {
    const app = new MeshApp({ outdir: '/tmp/unused' });
    const c = new Chart(app, 'mesh');
    const ca = new IstioCustomCa(c, 'istio', { integration: CaIntegration.manualPluginCa(), istioVersion: '1.14' });
    assert.deepEqual(c.toJson(), []);
    assert.deepEqual((ca.toIstioOperator() as any).spec.values.pilot.env, { AUTO_RELOAD_PLUGIN_CERTS: 'true', MAX_WORKLOAD_CERT_TTL: '2160h' });
    const notes = app.renderInstallFiles().find((f) => f.fileName === 'NOTES.md')!.content;
    assert.match(notes, /`ca-cert.pem` \(signing intermediate\), `ca-key.pem` \(its key\), `root-cert.pem` \(root bundle\) and `cert-chain.pem`/);
  });

  it('documents the kubernetes.io/tls layout when chosen', () => {
    const app = new MeshApp({ outdir: '/tmp/unused' });
    new IstioCustomCa(new Chart(app, 'm'), 'istio', { integration: CaIntegration.manualPluginCa({ layout: CacertsLayout.KUBERNETES_TLS }) });
    assert.match(app.renderInstallFiles().find((f) => f.fileName === 'NOTES.md')!.content, /`tls.crt` \(signing intermediate\)/);
  });

  it('no reload flag before 1.12 and from 1.18 on, where it is absent or on by default', () => {
    for (const v of ['1.11', '1.18', '1.19', '1.30']) {
      const ca = new IstioCustomCa(chart(), 'istio', { integration: CaIntegration.manualPluginCa(), istioVersion: v });
      assert.equal(JSON.stringify(ca.toIstioOperator()).includes('AUTO_RELOAD_PLUGIN_CERTS'), false, v);
    }
  });

  it('refuses the TLS layout before Istio 1.15', () => {
    throwsExactly(() => new IstioCustomCa(chart(), 'istio', { integration: CaIntegration.manualPluginCa({ layout: CacertsLayout.KUBERNETES_TLS }), istioVersion: '1.14' }),
      "IstioCustomCa: 'istioVersion' (1.14) cannot be used with CacertsLayout.KUBERNETES_TLS: it needs Istio 1.15 or later, because " +
      "istiod reads a kubernetes.io/tls 'cacerts' Secret (tls.crt, tls.key, ca.crt) only there (docs/reference.md §1.1; " +
      'istio releasenotes/notes/k8s-tls-secret-cacerts.yaml); target a supported Istio version or choose another integration');
  });

  it('keeps the PERMISSIVE-free, object-free output valid', () => {
    assert.deepEqual(synth(chart()), []);
  });
});
