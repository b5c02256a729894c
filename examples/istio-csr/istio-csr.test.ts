import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MeshApp } from '../../src';
import { matchSnapshot, one, validateAll, validateIstioCsrValues, validateModel } from '../../test/support';
import { IstioCsrChart } from './chart';

function build(ambient?: boolean) {
  const app = new MeshApp({ outdir: '/tmp/unused' });
  const chart = new IstioCsrChart(app, 'istio-csr', { ambient });
  return { app, chart, objs: chart.toJson() };
}

describe('examples/istio-csr', () => {
  it('synthesizes valid objects and install config that match field by field (§11 b)', async () => {
    const { app, chart, objs } = build();
    await validateAll(objs);
    assert.equal(one(objs, 'Issuer', 'istio-ca').metadata.namespace, 'istio-system');
    assert.equal(one(objs, 'Bundle', 'istio-root-ca').spec.sources[0].secret.name, 'mesh-root-root');
    const iop: any = chart.ca.toIstioOperator();
    await validateModel(iop);
    assert.equal(iop.spec.values.global.caAddress, 'cert-manager-istio-csr.cert-manager.svc:443');
    assert.equal(iop.spec.values.global.pilotCertProvider, 'istiod');
    assert.equal(iop.spec.values.pilot.env.ENABLE_CA_SERVER, 'false');
    assert.equal(iop.spec.meshConfig.defaultConfig.proxyMetadata.ISTIO_META_CERT_SIGNER, undefined);
    const values: any = chart.ca.toIstioCsrHelmValues();
    validateIstioCsrValues(values);
    assert.equal(values.app.tls.trustDomain, iop.spec.meshConfig.trustDomain);
    const dir = join(__dirname, '__snapshots__');
    matchSnapshot('manifests', objs, dir);
    matchSnapshot('install', app.renderInstallFiles().map((f) => f.content).join('---\n'), dir);
  });

  it('in ambient mode also configures ztunnel', async () => {
    const { app, chart } = build(true);
    assert.deepEqual(chart.ca.toZtunnelHelmValues(), { caAddress: 'cert-manager-istio-csr.cert-manager.svc:443', env: { SECRET_TTL: '1h' } });
    assert.ok(app.renderInstallFiles().some((f) => f.fileName === 'ztunnel-values.yaml'));
    validateIstioCsrValues(chart.ca.toIstioCsrHelmValues());
  });
});
