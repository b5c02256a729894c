import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MeshApp } from '../../src';
import { matchSnapshot, one, validateAll, validateModel } from '../../test/support';
import { KubernetesCsrChart } from './chart';

describe('examples/kubernetes-csr', () => {
  const app = new MeshApp({ outdir: '/tmp/unused' });
  const chart = new KubernetesCsrChart(app, 'kubernetes-csr');
  const objs = chart.toJson();

  it('synthesizes valid objects and the RA install config field by field (§11 a)', async () => {
    await validateAll(objs);
    assert.equal(one(objs, 'ProxyConfig').spec.environmentVariables.ISTIO_META_CERT_SIGNER, 'team-a-ca');
    const iop: any = chart.ca.toIstioOperator();
    await validateModel(iop);
    assert.equal(iop.spec.meshConfig.ca, undefined, 'meshConfig.ca is never read by istiod');
    assert.equal(iop.spec.values.pilot.env.EXTERNAL_CA, 'ISTIOD_RA_KUBERNETES_API');
    assert.equal(iop.spec.values.pilot.env.CERT_SIGNER_DOMAIN, 'clusterissuers.cert-manager.io');
    assert.equal(iop.spec.values.pilot.env.K8S_SIGNER, 'clusterissuers.cert-manager.io/istio-system');
    assert.equal(iop.spec.meshConfig.defaultConfig.proxyMetadata.ISTIO_META_CERT_SIGNER, 'istio-system');
    assert.deepEqual(iop.spec.meshConfig.caCertificates[0].certSigners,
      ['clusterissuers.cert-manager.io/istio-system', 'clusterissuers.cert-manager.io/team-a-ca']);
    assert.deepEqual(iop.spec.values.global.certSigners, iop.spec.meshConfig.caCertificates[0].certSigners);
    assert.equal(iop.spec.values.global.pilotCertProvider, undefined);
    const dir = join(__dirname, '__snapshots__');
    matchSnapshot('manifests', objs, dir);
    matchSnapshot('install', app.renderInstallFiles().map((f) => f.content).join('---\n'), dir);
  });
});
