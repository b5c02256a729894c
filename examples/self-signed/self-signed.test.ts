import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MeshApp } from '../../src';
import { matchSnapshot, one, validateAll, validateModel } from '../../test/support';
import { SelfSignedMeshChart } from './chart';

function build(istioVersion?: string) {
  const app = new MeshApp({ outdir: '/tmp/unused' });
  const chart = new SelfSignedMeshChart(app, 'istio-custom-ca', { istioVersion });
  return { app, chart, objs: chart.toJson() };
}

describe('examples/self-signed', () => {
  it('synthesizes valid objects: bootstrap root → CA Issuer → cacerts, plus one scoped fallback', async () => {
    const { app, objs } = build();
    await validateAll(objs);
    assert.deepEqual(objs.map((o: any) => `${o.kind}/${o.metadata.name}`), [
      'Issuer/mesh-root-selfsigned', 'Certificate/mesh-root-root', 'Issuer/mesh-root',
      'Certificate/cacerts', 'PeerAuthentication/legacy-billing', 'PrometheusRule/istio-custom-ca-certificates',
    ]);
    const cacerts = one(objs, 'Certificate', 'cacerts');
    assert.equal(cacerts.spec.issuerRef.name, 'mesh-root');
    assert.equal(one(objs, 'PeerAuthentication').spec.selector.matchLabels.app, 'legacy-billing');
    const files = app.renderInstallFiles();
    matchSnapshot('manifests', objs, join(__dirname, '__snapshots__'));
    matchSnapshot('install', files.map((f) => f.content).join('---\n'), join(__dirname, '__snapshots__'));
  });

  it('its install config sets the trust domain and lifetimes in the places Istio reads them', async () => {
    const { chart } = build();
    const iop: any = chart.ca.toIstioOperator();
    await validateModel(iop);
    assert.equal(iop.spec.meshConfig.trustDomain, 'mesh.example.com');
    assert.equal(iop.spec.meshConfig.defaultConfig.proxyMetadata.SECRET_TTL, '24h');
    assert.equal(iop.spec.values.pilot.env.MAX_WORKLOAD_CERT_TTL, '48h');
  });

  for (const v of ['1.15', '1.21', '1.22', '1.30']) {
    it(`synthesizes valid objects for Istio ${v}`, async () => {
      await validateAll(build(v).objs);
    });
  }
});
