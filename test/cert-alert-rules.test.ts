import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Chart, Duration } from 'cdk8s';
import { parse as parseYaml } from 'yaml';
import {
  AlertSeverity, CaIntegration, CertAlert, CertAlertRules, CertAlertRulesProps, CertManagerIssuer, CsrSigner, IssuerKind,
  IssuerSource, IstioCustomCa, IstioCustomCaProps, MeshApp, RootCaBundle,
} from '../src';
import { humanizeDuration } from '../src/model/alert-tests';
import { buildDefaultMesh } from '../examples/default/mesh';
import { EXAMPLES } from './examples';
import { FIXTURES } from './pki-fixtures';
import { chart, matchSnapshot, one, synth, throwsExactly, validateAll } from './support';

function promtool(...args: string[]): string {
  const r = spawnSync('promtool', args, { encoding: 'utf8' });
  if (r.error) assert.fail(`promtool is not installed (${r.error.message}); .ci/run installs Debian's prometheus package`);
  assert.equal(r.status, 0, `promtool ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Synthesizes an app and runs promtool check + test on its alerts/ folder; returns the rule file's groups. */
function promtoolOnApp(build: (app: MeshApp) => void): { rules: any[]; dir: string } {
  const out = mkdtempSync(join(tmpdir(), 'ica-alerts-'));
  const app = new MeshApp({ outdir: out });
  build(app);
  app.synth();
  const dir = join(out, 'alerts');
  const ruleFile = join(dir, 'istio-custom-ca-certificates.rules.yaml');
  assert.match(promtool('check', 'rules', ruleFile), /SUCCESS/);
  assert.match(execFileSync('promtool', ['test', 'rules', join(dir, 'istio-custom-ca-certificates.test.yaml')], { encoding: 'utf8' }), /SUCCESS/);
  return { rules: parseYaml(readFileSync(ruleFile, 'utf8')).groups[0].rules, dir };
}

function alertsOf(caProps: Partial<IstioCustomCaProps>, integration: (c: Chart) => CaIntegration, alertProps: Partial<CertAlertRulesProps> = {}) {
  const c = chart();
  const ca = new IstioCustomCa(c, 'istio', { integration: integration(c), ...caProps });
  const alerts = new CertAlertRules(c, 'alerts', { ca, ...alertProps });
  return { c, ca, alerts, objs: () => synth(c), rule: (name: string) => one(synth(c), 'PrometheusRule').spec.groups[0].rules.find((r: any) => r.alert === name) };
}

const pluginCa = (c: Chart) => CaIntegration.certManagerPluginCa({
  issuer: new CertManagerIssuer(c, 'root', { kind: IssuerKind.CLUSTER_ISSUER, source: IssuerSource.selfSignedRoot({ commonName: 'Root' }) }),
});
const istioCsr = (c: Chart) => CaIntegration.istioCsr({
  issuer: new CertManagerIssuer(c, 'istio-ca', { kind: IssuerKind.ISSUER, namespace: 'istio-system', source: IssuerSource.ca({ secretName: 'istio-ca' }) }),
  rootCaBundle: RootCaBundle.fromConfigMap({ name: 'istio-root-ca' }),
});

/**
 * Prometheus' relabelling (keep/replace with fully anchored RE2-compatible regexes, `;` separator, `$n` groups) over
 * the labels pod discovery gives a declared container port, for the targets a PodMonitor endpoint yields.
 */
function relabelTargets(rules: any[], pods: { container: string; port: string; annotations: Record<string, string>; ip: string }[]): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const p of pods) {
    const labels: Record<string, string> = {
      __address__: `${p.ip.includes(':') ? `[${p.ip}]` : p.ip}:${p.port}`,
      __meta_kubernetes_pod_container_name: p.container,
      __meta_kubernetes_pod_ip: p.ip,
      __meta_kubernetes_namespace: 'shop',
      __meta_kubernetes_pod_name: 'cart-1',
    };
    for (const [k, v] of Object.entries(p.annotations)) labels[`__meta_kubernetes_pod_annotation_${k.replace(/[^a-zA-Z0-9_]/g, '_')}`] = v;
    let kept = true;
    for (const r of rules) {
      const value = (r.sourceLabels ?? []).map((l: string) => labels[l] ?? '').join(';');
      const re = new RegExp(`^(?:${r.regex ?? '(.*)'})$`);
      const m = re.exec(value);
      if (r.action === 'keep') { if (!m) { kept = false; break; } continue; }
      if (r.action === 'replace' && m) {
        labels[r.targetLabel] = (r.replacement ?? '$1').replace(/\$(\d+)/g, (_: string, n: string) => m[Number(n)] ?? '');
      }
    }
    if (kept) out.push({ __address__: labels.__address__, namespace: labels.namespace, pod: labels.pod });
  }
  return out;
}

describe('CertAlertRules', () => {
  describe('promtool on the synthesized rules of every example', () => {
    for (const [name, build] of EXAMPLES) {
      it(`examples/${name}: promtool check rules and promtool test rules pass`, () => {
        const { rules } = promtoolOnApp(build);
        assert.ok(rules.length >= 3);
        for (const r of rules) {
          assert.ok(r.labels.severity, `${r.alert} has a severity`);
          assert.ok(r.annotations.summary && r.annotations.description && r.annotations.runbook_url, `${r.alert} has summary, description, runbook_url`);
        }
      });
    }

    it('every library alert has a firing and a silent scenario, and a healthy mesh over hours fires nothing', () => {
      const { dir, rules } = promtoolOnApp((app) => { buildDefaultMesh(app); });
      const tests = parseYaml(readFileSync(join(dir, 'istio-custom-ca-certificates.test.yaml'), 'utf8')).tests;
      for (const r of rules) {
        const cases = tests.flatMap((t: any) => t.alert_rule_test).filter((a: any) => a.alertname === r.alert);
        assert.ok(cases.some((a: any) => a.exp_alerts.length > 0), `${r.alert} fires in a scenario`);
        assert.ok(cases.some((a: any) => a.exp_alerts.length === 0), `${r.alert} stays silent in a scenario`);
      }
      const healthy = tests[tests.length - 1];
      assert.deepEqual([...new Set(healthy.alert_rule_test.map((a: any) => a.eval_time))], ['1h', '3h', '6h']);
      assert.ok(healthy.alert_rule_test.every((a: any) => a.exp_alerts.length === 0));
    });

    it('the generated promtool tests catch a wrong threshold (they can fail)', () => {
      const { dir } = promtoolOnApp((app) => { buildDefaultMesh(app); });
      const ruleFile = join(dir, 'istio-custom-ca-certificates.rules.yaml');
      writeFileSync(ruleFile, readFileSync(ruleFile, 'utf8').replace('(istio_agent_cert_expiry_seconds) < 21600', '(istio_agent_cert_expiry_seconds) < 60'));
      const r = spawnSync('promtool', ['test', 'rules', join(dir, 'istio-custom-ca-certificates.test.yaml')], { encoding: 'utf8' });
      assert.notEqual(r.status, 0);
      assert.match(r.stdout + r.stderr, /FAILED/);
    });
  });

  describe('only metrics that exist in the setup', () => {
    it('plug-in CA (cert-manager): istiod CA, agent and cert-manager alerts; thresholds from the lifetimes', async () => {
      const { objs, alerts, rule } = alertsOf({ workloadCertTtl: Duration.hours(24), gracePeriodRatio: 0.5 }, pluginCa);
      await validateAll(objs());
      assert.deepEqual(alerts.alertNames, [
        'IstioCaIntermediateExpiring', 'IstioCaRootExpiring', 'IstioCaCsrSignErrors', 'IstioWorkloadCertRotationOverdue',
        'IstioWorkloadCsrFailures', 'CertManagerCertificateNotReady', 'CertManagerCertificateRenewalOverdue',
        'CertManagerCertificateExpiring', 'CertManagerIssuerNotReady',
      ]);
      // intermediate: renewBefore (2160h) / 2; root: 180 days; workload: 24h × 0.5 / 2
      assert.equal(rule('IstioCaIntermediateExpiring').expr, 'min(citadel_server_cert_chain_expiry_seconds) < 3888000');
      assert.equal(rule('IstioCaRootExpiring').expr, 'min(citadel_server_root_cert_expiry_seconds) < 15552000');
      assert.equal(rule('IstioWorkloadCertRotationOverdue').expr, 'min by (namespace, pod) (istio_agent_cert_expiry_seconds) < 21600');
      assert.equal(rule('CertManagerCertificateRenewalOverdue').expr,
        '(time() - max by (namespace, name) (certmanager_certificate_renewal_timestamp_seconds{namespace="istio-system",name="cacerts"})) > 3600 or ' +
        '(time() - max by (namespace, name) (certmanager_certificate_renewal_timestamp_seconds{namespace="cert-manager",name="root-root"})) > 3600');
      assert.equal(rule('CertManagerIssuerNotReady').expr, 'max by (name) (certmanager_clusterissuer_ready_status{name="root",condition="False"}) == 1');
      matchSnapshot('cert-alert-rules', objs());
    });

    it('istio-csr: no istiod CA metrics; istiod serving cert, istio-csr metric; 1h leaves overdue at 15m', () => {
      const { alerts, rule } = alertsOf({}, istioCsr);
      assert.deepEqual(alerts.alertNames, [
        'IstioWorkloadCertRotationOverdue', 'IstioWorkloadCsrFailures', 'CertManagerCertificateNotReady',
        'CertManagerCertificateRenewalOverdue', 'CertManagerCertificateExpiring', 'CertManagerIssuerNotReady', 'IstioCsrServingCertFailures',
      ]);
      assert.equal(rule('IstioWorkloadCertRotationOverdue').expr, 'min by (namespace, pod) (istio_agent_cert_expiry_seconds) < 900');
      assert.match(rule('CertManagerCertificateExpiring').expr, /\{namespace="istio-system",name="istiod"\}\) - time\(\)\) < 900$/);
      assert.equal(rule('CertManagerIssuerNotReady').expr, 'max by (namespace, name) (certmanager_issuer_ready_status{namespace="istio-system",name="istio-ca",condition="False"}) == 1');
    });

    it('Kubernetes CSR: RA sign errors and the cert-manager signer issuers, no plug-in chain gauges', () => {
      const { alerts, rule } = alertsOf({}, (c) => CaIntegration.kubernetesCsr({
        signer: CsrSigner.certManagerIssuer(new CertManagerIssuer(c, 'istio-system', { kind: IssuerKind.CLUSTER_ISSUER, source: IssuerSource.ca({ secretName: 's' }) })),
        rootCaPem: FIXTURES.rootA,
      }));
      assert.deepEqual(alerts.alertNames, ['IstioCaCsrSignErrors', 'IstioWorkloadCertRotationOverdue', 'IstioWorkloadCsrFailures', 'CertManagerIssuerNotReady']);
      assert.equal(rule('CertManagerIssuerNotReady').expr, 'max by (name) (certmanager_clusterissuer_ready_status{name="istio-system",condition="False"}) == 1');
    });

    it('manual plug-in CA: istiod gauges with a configurable lead, no cert-manager alerts', () => {
      const { alerts, rule } = alertsOf({}, () => CaIntegration.manualPluginCa(), { manualIntermediateExpiryLeadTime: Duration.days(20) });
      assert.deepEqual(alerts.alertNames, ['IstioCaIntermediateExpiring', 'IstioCaRootExpiring', 'IstioCaCsrSignErrors', 'IstioWorkloadCertRotationOverdue', 'IstioWorkloadCsrFailures']);
      assert.equal(rule('IstioCaIntermediateExpiring').expr, 'min(citadel_server_cert_chain_expiry_seconds) < 1728000');
    });
  });

  describe('version awareness', () => {
    it('alerts on issuer readiness only from cert-manager v1.20, whose collectors export it (§7.5)', () => {
      const names = (certManagerVersion?: string) => alertsOf({}, pluginCa, certManagerVersion ? { certManagerVersion } : {}).alerts.alertNames;
      assert.ok(names().includes(CertAlert.ISSUER_NOT_READY), 'default: the newest cert-manager');
      assert.ok(names('v1.20').includes(CertAlert.ISSUER_NOT_READY));
      assert.ok(!names('v1.19').includes(CertAlert.ISSUER_NOT_READY));
      assert.ok(names('v1.19').includes(CertAlert.CERTIFICATE_NOT_READY), 'Certificate metrics exist from v1.12');
      throwsExactly(() => alertsOf({}, pluginCa, { certManagerVersion: '1.x' }),
        "CertAlertRules: 'certManagerVersion' (1.x) is not a supported cert-manager version; give 'v1.<minor>' with minor 12 or later (default v1.21)");
    });
    it('uses the timestamp gauges before Istio 1.23', () => {
      const { rule } = alertsOf({ istioVersion: '1.22' }, () => CaIntegration.manualPluginCa());
      assert.equal(rule('IstioCaRootExpiring').expr, 'min((citadel_server_root_cert_expiry_timestamp - time())) < 15552000');
      assert.equal(rule('IstioCaIntermediateExpiring').expr, 'min((citadel_server_cert_chain_expiry_timestamp - time())) < 2592000');
    });
    it('skips the chain gauge before 1.24 when cert-manager renews cacerts (the gauge is not refreshed on reload)', () => {
      assert.ok(!alertsOf({ istioVersion: '1.23' }, pluginCa).alerts.alertNames.includes('IstioCaIntermediateExpiring'));
      assert.ok(alertsOf({ istioVersion: '1.24' }, pluginCa).alerts.alertNames.includes('IstioCaIntermediateExpiring'));
    });
    it('has no workload expiry alert before 1.14, where the agent does not export the metric', () => {
      assert.ok(!alertsOf({ istioVersion: '1.13' }, () => CaIntegration.manualPluginCa()).alerts.alertNames.includes('IstioWorkloadCertRotationOverdue'));
    });
    it('promtool accepts the pre-1.23 timestamp form too', () => {
      promtoolOnApp((app) => {
        const c = new Chart(app, 'm');
        const ca = new IstioCustomCa(c, 'istio', { integration: CaIntegration.manualPluginCa(), istioVersion: '1.20' });
        new CertAlertRules(c, 'alerts', { ca });
      });
    });
  });

  describe('overrides and custom rules', () => {
    it('overrides threshold, for and severity, disables alerts, and adds rules', () => {
      const { alerts, rule } = alertsOf({}, pluginCa, {
        overrides: [
          { alert: CertAlert.WORKLOAD_ROTATION_OVERDUE, threshold: Duration.hours(2), forDuration: Duration.minutes(10), severity: AlertSeverity.CRITICAL },
          { alert: CertAlert.CA_SIGN_ERRORS, disabled: true },
        ],
        ruleLabels: { release: 'kube-prometheus-stack' },
        runbookBaseUrl: 'https://runbooks.example.com/istio-ca',
      });
      alerts.addRule({ alert: 'MyMeshAlert', expr: 'up{job="istiod"} == 0', summary: 's', description: 'istiod {{ $labels.pod }} is down' });
      const r = rule('IstioWorkloadCertRotationOverdue');
      assert.equal(r.expr, 'min by (namespace, pod) (istio_agent_cert_expiry_seconds) < 7200');
      assert.equal(r.for, '10m');
      assert.equal(r.labels.severity, 'critical');
      assert.equal(r.annotations.runbook_url, 'https://runbooks.example.com/istio-ca#istioworkloadcertrotationoverdue');
      assert.equal(rule('IstioCaCsrSignErrors'), undefined);
      assert.deepEqual(rule('MyMeshAlert'), { alert: 'MyMeshAlert', expr: 'up{job="istiod"} == 0', for: '5m', labels: { severity: 'warning' }, annotations: { summary: 's', description: 'istiod {{ $labels.pod }} is down' } });
    });

    it('custom rules go into the rule file too, and promtool still passes', () => {
      promtoolOnApp((app) => {
        const c = new Chart(app, 'm');
        const ca = new IstioCustomCa(c, 'istio', { integration: CaIntegration.manualPluginCa() });
        new CertAlertRules(c, 'alerts', { ca }).addRule({ alert: 'X', expr: 'vector(1) > 2', summary: 's', description: 'd' });
      });
    });

    it('defines the optional monitors', async () => {
      const { objs } = alertsOf({}, pluginCa, { monitors: true });
      const all = objs();
      await validateAll(all);
      const [endpoint] = one(all, 'PodMonitor').spec.podMetricsEndpoints;
      // No port: the injected istio-proxy declares only 15090; the target address comes from prometheus.io/port (15020).
      assert.equal(endpoint.portNumber, undefined);
      assert.equal(endpoint.port, undefined);
      assert.equal(endpoint.path, '/stats/prometheus');
      const targets = relabelTargets(endpoint.relabelings, [
        { container: 'istio-proxy', port: '15090', annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '15020' }, ip: '10.1.2.3' },
        { container: 'istio-proxy', port: '15090', annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '15020' }, ip: 'fd00::1:2' },
        { container: 'app', port: '8080', annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '15020' }, ip: '10.1.2.4' },
        { container: 'istio-proxy', port: '15090', annotations: {}, ip: '10.1.2.5' },
      ]);
      assert.deepEqual(targets, [
        { __address__: '10.1.2.3:15020', namespace: 'shop', pod: 'cart-1' },
        { __address__: '[fd00::1:2]:15020', namespace: 'shop', pod: 'cart-1' },
      ]);
      assert.deepEqual(one(all, 'ServiceMonitor').spec.endpoints, [{ port: 'http-monitoring', interval: '30s' }]);
      assert.equal(alertsOf({}, istioCsr, { monitors: true }).objs().filter((o) => o.kind === 'ServiceMonitor').length, 0);
    });

    it('humanizeDuration matches Prometheus for the values the tests use', () => {
      assert.equal(humanizeDuration(0), '0s');
      assert.equal(humanizeDuration(45), '45s');
      assert.equal(humanizeDuration(3661), '1h 1m 1s');
      assert.equal(humanizeDuration(90061), '1d 1h 1m 1s');
      assert.equal(humanizeDuration(-120), '-2m 0s');
    });
  });

  describe('validation', () => {
    it('refuses a root lead shorter than a staged root rotation', () => {
      throwsExactly(() => alertsOf({}, pluginCa, { rootExpiryLeadTime: Duration.days(2) }),
        "CertAlertRules: 'rootExpiryLeadTime' (48h) must exceed one full staged root rotation (72h28m48s: two workload certificate " +
        'lifetimes of 24h plus jitter, and a day for the istiod restart and checks); raise rootExpiryLeadTime');
    });
    it('refuses a threshold on an alert without one, and an alert changed twice', () => {
      throwsExactly(() => alertsOf({}, pluginCa, { overrides: [{ alert: CertAlert.CA_SIGN_ERRORS, threshold: Duration.hours(1) }] }),
        "CertAlertRules: 'overrides' threshold of IstioCaCsrSignErrors is not allowed: it has no time threshold (only " +
        'IstioCaIntermediateExpiring, IstioCaRootExpiring, IstioWorkloadCertRotationOverdue, CertManagerCertificateRenewalOverdue, CertManagerCertificateExpiring)');
      throwsExactly(() => alertsOf({}, pluginCa, { overrides: [{ alert: CertAlert.CA_SIGN_ERRORS, disabled: true }, { alert: CertAlert.CA_SIGN_ERRORS }] }),
        "CertAlertRules: 'overrides' changes IstioCaCsrSignErrors twice; merge the two overrides into one");
    });
    it('refuses bad custom rules', () => {
      const { alerts } = alertsOf({}, pluginCa);
      throwsExactly(() => alerts.addRule({ alert: '1bad', expr: 'x', summary: 's', description: 'd' }),
        "CertAlertRules: addRule 'alert' (1bad) must be a Prometheus alert name: letters, digits and '_', not starting with a digit");
      throwsExactly(() => alerts.addRule({ alert: 'IstioCaRootExpiring', expr: 'x', summary: 's', description: 'd' }),
        "CertAlertRules: addRule 'alert' (IstioCaRootExpiring) already exists in group istio-custom-ca-certificates; choose another name");
      throwsExactly(() => alerts.addRule({ alert: 'Empty', expr: ' ', summary: 's', description: 'd' }),
        "CertAlertRules: 'addRule(Empty).expr' ( ) is empty; give a PromQL expression");
    });
    it('refuses invalid names, labels and lead times', () => {
      throwsExactly(() => alertsOf({}, pluginCa, { namespace: 'Monitoring' }),
        "CertAlertRules: 'namespace' (Monitoring) is not a valid Kubernetes namespace name; use at most 63 lowercase letters, digits " +
        "and '-', starting and ending with a letter or digit");
      throwsExactly(() => alertsOf({}, pluginCa, { renewalOverdueAfter: Duration.seconds(0) }),
        "CertAlertRules: 'renewalOverdueAfter' (0s) must be at least 1s");
    });
  });
});
