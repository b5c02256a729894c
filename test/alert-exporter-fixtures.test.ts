/**
 * The library's alert expressions fed series shaped like what the exporters really emit, written here by hand with
 * label names and values taken from the exporters' source (not from the library's constants):
 * - istiod: `citadel_server_csr_sign_err_count{error}` (istio security/pkg/server/ca/monitoring.go; error values from
 *   security/pkg/pki/error/error.go);
 * - istio-agent: `istio_agent_cert_expiry_seconds{resource_name="default"}`, `istio_agent_num_failed_outgoing_requests{request_type="csr"}`
 *   (security/pkg/nodeagent/cache/monitoring.go, pkg/istio-agent/metrics); `namespace`/`pod` from the scrape relabelling;
 * - cert-manager: `certmanager_certificate_ready_status{name,namespace,condition,issuer_name,issuer_kind,issuer_group}` with one
 *   series per condition True/False/Unknown, `certmanager_clusterissuer_ready_status{name,condition}`,
 *   `certmanager_issuer_ready_status{name,namespace,condition}` (cert-manager internal/collectors, v1.20+);
 * - istio-csr: `cert_manager_istio_csr_tls_provider_certificate_requests{success="0"|"1"}` (istio-csr v0.17.0 pkg/tls/tls.go).
 * Every series also carries the `job`/`instance` labels a scrape adds. Each alert must fire. The rule files are the ones
 * `CertAlertRules` writes, with annotations removed so that promtool compares labels only.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Chart } from 'cdk8s';
import { parse, stringify } from 'yaml';
import {
  CaIntegration, CertAlertRules, CertManagerIssuer, CsrSigner, IssuerKind, IssuerSource, IstioCustomCa, MeshApp, RootCaBundle,
} from '../src';
import { FIXTURES } from './pki-fixtures';

const CM = 'job="cert-manager",instance="10.0.0.5:9402"';
const ISTIOD = 'job="istiod",instance="10.0.0.6:15014"';
const AGENT = 'job="istio-sidecar-agents",instance="10.0.1.7:15020",namespace="shop",pod="cart-1"';
const CSR = 'job="cert-manager-istio-csr",instance="10.0.0.8:9402"';

/** Synthesizes `build` and returns the library's rule file (annotations removed) in a temp folder, and its alert names. */
function rulesOf(build: (c: Chart) => void): { dir: string; alerts: string[] } {
  const out = mkdtempSync(join(tmpdir(), 'ica-exporter-'));
  const app = new MeshApp({ outdir: out });
  build(new Chart(app, 'mesh'));
  app.synth();
  const doc = parse(readFileSync(join(out, 'alerts', 'istio-custom-ca-certificates.rules.yaml'), 'utf8'));
  for (const r of doc.groups[0].rules) delete r.annotations;
  writeFileSync(join(out, 'rules.yaml'), stringify(doc));
  return { dir: out, alerts: doc.groups[0].rules.map((r: any) => r.alert) };
}

interface Case {
  readonly alert: string;
  readonly series: { series: string; values: string }[];
  readonly labels: Record<string, string>;
}

/** Runs promtool on hand-written cases: each alert fires at 40m with exactly the expected labels. */
function promtoolFires(dir: string, cases: Case[]): void {
  const tests = cases.map((c) => ({
    interval: '1m',
    input_series: c.series,
    alert_rule_test: [{ eval_time: '40m', alertname: c.alert, exp_alerts: [{ exp_labels: c.labels }] }],
  }));
  const file = join(dir, 'exporter.test.yaml');
  writeFileSync(file, stringify({ rule_files: ['rules.yaml'], evaluation_interval: '1m', tests }));
  const r = spawnSync('promtool', ['test', 'rules', file], { encoding: 'utf8', cwd: dir });
  if (r.error) assert.fail(`promtool is not installed (${r.error.message}); .ci/run installs Debian's prometheus package`);
  assert.equal(r.status, 0, `promtool test rules failed:\n${r.stdout}\n${r.stderr}`);
}

const conditionSeries = (metric: string, labels: string, failing: 'False' | 'Unknown') => ['True', 'False', 'Unknown'].map((condition) => ({
  series: `${metric}{${labels},condition="${condition}"}`,
  values: condition === failing ? '1x60' : '0x60',
}));

describe('alerts fire on exporter-shaped series (promtool)', () => {
  it('cert-manager plug-in CA: certificate, issuer, istiod and agent alerts', () => {
    const { dir, alerts } = rulesOf((c) => {
      const issuer = new CertManagerIssuer(c, 'mesh-root', { source: IssuerSource.selfSignedRoot({ commonName: 'Mesh Root' }) });
      const ca = new IstioCustomCa(c, 'istio', { integration: CaIntegration.certManagerPluginCa({ issuer }) });
      new CertAlertRules(c, 'alerts', { ca });
    });
    const cert = `name="cacerts",namespace="istio-system",issuer_name="mesh-root",issuer_kind="Issuer",issuer_group="cert-manager.io",${CM}`;
    const cases: Case[] = [
      { alert: 'CertManagerCertificateNotReady', series: conditionSeries('certmanager_certificate_ready_status', cert, 'False'),
        labels: { namespace: 'istio-system', name: 'cacerts', severity: 'warning' } },
      { alert: 'CertManagerIssuerNotReady', series: conditionSeries('certmanager_issuer_ready_status', `name="mesh-root",namespace="istio-system",${CM}`, 'False'),
        labels: { namespace: 'istio-system', name: 'mesh-root', severity: 'critical' } },
      { alert: 'IstioCaCsrSignErrors', series: [{ series: `citadel_server_csr_sign_err_count{error="TTL_ERROR",${ISTIOD}}`, values: '0+3x60' }],
        labels: { error: 'TTL_ERROR', severity: 'warning' } },
      { alert: 'IstioWorkloadCertRotationOverdue', series: [{ series: `istio_agent_cert_expiry_seconds{resource_name="default",${AGENT}}`, values: '600x60' }],
        labels: { namespace: 'shop', pod: 'cart-1', severity: 'warning' } },
      { alert: 'IstioWorkloadCsrFailures', series: [{ series: `istio_agent_num_failed_outgoing_requests{request_type="csr",${AGENT}}`, values: '0+1x60' }],
        labels: { namespace: 'shop', pod: 'cart-1', severity: 'warning' } },
    ];
    assert.deepEqual(cases.map((c) => alerts.includes(c.alert)), cases.map(() => true), 'every case names an alert the library wrote');
    promtoolFires(dir, cases);
  });

  it('istio-csr: its serving-cert failures (success="0") and a namespaced issuer', () => {
    const { dir, alerts } = rulesOf((c) => {
      const issuer = new CertManagerIssuer(c, 'istio-ca', { kind: IssuerKind.ISSUER, namespace: 'istio-system', source: IssuerSource.ca({ secretName: 'istio-ca' }) });
      const ca = new IstioCustomCa(c, 'istio', { integration: CaIntegration.istioCsr({ issuer, rootCaBundle: RootCaBundle.fromConfigMap({ name: 'root' }) }) });
      new CertAlertRules(c, 'alerts', { ca });
    });
    const cases: Case[] = [
      { alert: 'IstioCsrServingCertFailures', series: [
        { series: `cert_manager_istio_csr_tls_provider_certificate_requests{success="0",${CSR}}`, values: '0+1x60' },
        { series: `cert_manager_istio_csr_tls_provider_certificate_requests{success="1",${CSR}}`, values: '0+1x60' },
      ], labels: { severity: 'warning' } },
      { alert: 'CertManagerIssuerNotReady', series: conditionSeries('certmanager_issuer_ready_status', `name="istio-ca",namespace="istio-system",${CM}`, 'False'),
        labels: { namespace: 'istio-system', name: 'istio-ca', severity: 'critical' } },
    ];
    assert.deepEqual(cases.map((c) => alerts.includes(c.alert)), [true, true]);
    promtoolFires(dir, cases);
  });

  it('Kubernetes CSR: a cert-manager signer issuer that is not Ready (condition="Unknown" is not an alert, "False" is)', () => {
    const { dir } = rulesOf((c) => {
      const issuer = new CertManagerIssuer(c, 'istio-system', { kind: IssuerKind.CLUSTER_ISSUER, source: IssuerSource.ca({ secretName: 'signer' }) });
      const ca = new IstioCustomCa(c, 'istio', { integration: CaIntegration.kubernetesCsr({ signer: CsrSigner.certManagerIssuer(issuer), rootCaPem: FIXTURES.rootA }) });
      new CertAlertRules(c, 'alerts', { ca });
    });
    promtoolFires(dir, [{ alert: 'CertManagerIssuerNotReady', series: conditionSeries('certmanager_clusterissuer_ready_status', `name="istio-system",${CM}`, 'False'),
      labels: { name: 'istio-system', severity: 'critical' } }]);
  });
});
