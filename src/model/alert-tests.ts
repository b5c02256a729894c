/**
 * promtool unit tests for the generated alert rules (https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/):
 * for every alert one scenario where it fires and one where it stays silent, and a healthy mesh over several hours
 * that fires nothing. Series and expected annotations are computed from the same thresholds as the rules.
 */
import { uniqueBy } from './collections';
import { goDuration } from './durations';
import { AlertSpec, CertAlert as ALERT_NAMES, GeneratedRule } from './alert-rules';
import { holds } from './istio-version';
import { METRIC_LABEL_VALUES, METRICS } from './metrics';

const STEP_S = 60;

/** Prometheus' `humanizeDuration` template function for whole seconds (prometheus template/template.go). */
export function humanizeDuration(v: number): string {
  if (v === 0) return '0s';
  const sign = v < 0 ? '-' : '';
  const a = Math.abs(v);
  if (a < 1) return `${sign}${a}s`;
  const d = Math.trunc(a);
  const s = d % 60;
  const m = Math.trunc(d / 60) % 60;
  const h = Math.trunc(d / 3600) % 24;
  const days = Math.trunc(d / 86400);
  if (days !== 0) return `${sign}${days}d ${h}h ${m}m ${s}s`;
  if (h !== 0) return `${sign}${h}h ${m}m ${s}s`;
  if (m !== 0) return `${sign}${m}m ${s}s`;
  return `${sign}${Number(a.toPrecision(4))}s`;
}

function render(template: string, labels: Record<string, string>, value: number): string {
  return template
    .replace(/\{\{ \$value \| humanizeDuration \}\}/g, humanizeDuration(value))
    .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, k: string) => labels[k] ?? '');
}

interface Series { readonly series: string; readonly values: string }
interface Scenario {
  readonly series: Series[];
  readonly evalS: number;
  /** Labels of the firing alert (besides alertname and severity) and its $value; undefined = silent. */
  readonly fires?: { readonly labels: Record<string, string>; readonly value: number };
}

function sel(labels: Record<string, string>): string {
  return `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

/** `n` samples at one per minute, constant `v`. */
const flat = (v: number, minutes: number) => `${v}x${minutes}`;
/** A counter rising by one per minute. */
const rising = (minutes: number) => `0+1x${minutes}`;

/** A gauge of seconds left, falling in real time from `start`. */
function falling(start: number, minutes: number): string {
  return `${start}-${STEP_S}x${minutes}`;
}

/** Scenarios for a "seconds left < X" alert on a gauge that falls in real time; fires `margin` after pending ends. */
function secondsLeft(metric: (labels: Record<string, string>) => Series[], labels: Record<string, string>, x: number, forS: number, timestamp: boolean): [Scenario, Scenario] {
  const start = x + 1800;
  const evalS = 1800 + STEP_S + forS + 1200;
  const minutes = Math.ceil(evalS / STEP_S) + 10;
  const firingSeries = timestamp ? flat(start, minutes) : falling(start, minutes);
  const healthy = 3 * x + 100_000;
  const healthySeries = timestamp ? flat(healthy, minutes) : falling(healthy, minutes);
  return [
    { series: metric(labels).map((s) => ({ ...s, values: firingSeries })), evalS, fires: { labels, value: start - evalS } },
    { series: metric(labels).map((s) => ({ ...s, values: healthySeries })), evalS },
  ];
}

/** Scenarios for a counter alert (`increase(...) > 0`). */
function counter(name: string, labels: Record<string, string>, firingLabels: Record<string, string>, silentExtra?: Series): [Scenario, Scenario] {
  return [
    { series: [{ series: `${name}${sel(labels)}`, values: rising(60) }], evalS: 1800, fires: { labels: firingLabels, value: 0 } },
    { series: [{ series: `${name}${sel(labels)}`, values: flat(0, 60) }, ...(silentExtra ? [silentExtra] : [])], evalS: 1800 },
  ];
}

/** Scenarios for a "condition is 1 for a while" alert. */
function condition(series: string, labels: Record<string, string>): [Scenario, Scenario] {
  return [
    { series: [{ series, values: flat(1, 60) }], evalS: 2400, fires: { labels, value: 1 } },
    { series: [{ series, values: flat(0, 60) }], evalS: 2400 },
  ];
}

function scenarios(g: GeneratedRule, spec: AlertSpec, workloadTtlS: number, graceRatio: number): [Scenario, Scenario] {
  const a = g.rule.alert;
  const preSeconds = holds('CA_EXPIRY_SECONDS_METRICS', spec.istioVersion);
  const cert = spec.certificates[0];
  const certLabels: Record<string, string> = cert ? { namespace: cert.namespace, name: cert.name } : {};
  switch (a) {
    case ALERT_NAMES.CA_INTERMEDIATE_EXPIRING:
    case ALERT_NAMES.CA_ROOT_EXPIRING: {
      const chain = a === ALERT_NAMES.CA_INTERMEDIATE_EXPIRING;
      const metric = preSeconds
        ? (chain ? METRICS.CA_CHAIN_EXPIRY_SECONDS : METRICS.CA_ROOT_EXPIRY_SECONDS)
        : (chain ? METRICS.CA_CHAIN_EXPIRY_TIMESTAMP : METRICS.CA_ROOT_EXPIRY_TIMESTAMP);
      return secondsLeft(() => [{ series: `${metric}{pod="istiod-1"}`, values: '' }], {}, g.thresholdS!, g.forS, !preSeconds);
    }
    case ALERT_NAMES.CA_SIGN_ERRORS:
      return counter(METRICS.CA_SIGN_ERRORS, { error: 'TTL_ERROR' }, { error: 'TTL_ERROR' });
    case ALERT_NAMES.WORKLOAD_ROTATION_OVERDUE: {
      const labels = { namespace: 'shop', pod: 'cart-1' };
      const [fire] = secondsLeft(() => [{ series: `${METRICS.AGENT_CERT_EXPIRY_SECONDS}${sel({ ...labels, resource_name: 'default' })}`, values: '' }], labels, g.thresholdS!, g.forS, false);
      // Silent: a proxy that renews on schedule, a sawtooth between the full lifetime and the renewal point.
      return [fire, { series: [{ series: `${METRICS.AGENT_CERT_EXPIRY_SECONDS}${sel({ ...labels, resource_name: 'default' })}`, values: sawtooth(workloadTtlS, graceRatio, 8 * 3600) }], evalS: 6 * 3600 }];
    }
    case ALERT_NAMES.WORKLOAD_CSR_FAILURES:
      return counter(METRICS.AGENT_FAILED_REQUESTS, { namespace: 'shop', pod: 'cart-1', request_type: 'csr' }, { namespace: 'shop', pod: 'cart-1' },
        { series: `${METRICS.AGENT_FAILED_REQUESTS}${sel({ namespace: 'shop', pod: 'cart-1', request_type: 'token_exchange' })}`, values: rising(60) });
    case ALERT_NAMES.CERTIFICATE_NOT_READY:
      return condition(`${METRICS.CM_CERT_READY}${sel({ ...certLabels, condition: 'False' })}`, certLabels);
    case ALERT_NAMES.CERTIFICATE_RENEWAL_OVERDUE: {
      const x = g.thresholdS!;
      const evalS = 600 + x + 1200;
      const minutes = Math.ceil(evalS / STEP_S) + 10;
      const series = `${METRICS.CM_CERT_RENEWAL}${sel(certLabels)}`;
      return [
        { series: [{ series, values: flat(600, minutes) }], evalS, fires: { labels: certLabels, value: evalS - 600 } },
        { series: [{ series, values: flat(evalS + 10 * x + 100_000, minutes) }], evalS },
      ];
    }
    case ALERT_NAMES.CERTIFICATE_EXPIRING:
      return secondsLeft(() => [{ series: `${METRICS.CM_CERT_EXPIRATION}${sel(certLabels)}`, values: '' }], certLabels, g.thresholdS ?? cert.expiringBelowS, g.forS, true);
    case ALERT_NAMES.ISSUER_NOT_READY: {
      const i = spec.issuers[0];
      return i.kind === 'ClusterIssuer'
        ? condition(`${METRICS.CM_CLUSTERISSUER_READY}${sel({ name: i.name, condition: 'False' })}`, { name: i.name })
        : condition(`${METRICS.CM_ISSUER_READY}${sel({ namespace: i.namespace!, name: i.name, condition: 'False' })}`, { namespace: i.namespace!, name: i.name });
    }
    case ALERT_NAMES.ISTIO_CSR_TLS_FAILURES:
      return counter(METRICS.ISTIO_CSR_TLS_REQUESTS, { success: METRIC_LABEL_VALUES.ISTIO_CSR_FAILED }, {},
        { series: `${METRICS.ISTIO_CSR_TLS_REQUESTS}${sel({ success: METRIC_LABEL_VALUES.ISTIO_CSR_ISSUED })}`, values: rising(60) });
  }
  throw new Error(`no promtool scenario for alert ${a}`);
}

/** Seconds-left values of a proxy renewing on schedule: full lifetime down to ratio×lifetime, then renewed. */
function sawtooth(ttlS: number, ratio: number, spanS: number): string {
  const stepsPerCycle = Math.max(1, Math.floor((ttlS * (1 - ratio)) / STEP_S));
  const cycles = Math.ceil(spanS / (stepsPerCycle * STEP_S)) + 1;
  return Array.from({ length: cycles }, () => `${ttlS}-${STEP_S}x${stepsPerCycle - 1}`).join(' ');
}

/** The promtool test file for `rules` (library rules only), reading `ruleFile`. */
export function promtoolTests(ruleFile: string, spec: AlertSpec, rules: readonly GeneratedRule[], workloadTtlS: number, graceRatio: number): Record<string, unknown> {
  const tests: Record<string, unknown>[] = [];
  const healthySeries: Series[] = [];
  for (const g of rules) {
    const [fire, silent] = scenarios(g, spec, workloadTtlS, graceRatio);
    const expected = (s: Scenario) => (s.fires ? [{
      exp_labels: { ...s.fires.labels, severity: g.rule.labels.severity },
      exp_annotations: Object.fromEntries(Object.entries(g.rule.annotations).map(([k, v]) => [k, render(v, s.fires!.labels, s.fires!.value)])),
    }] : []);
    for (const s of [fire, silent]) {
      tests.push({
        interval: goDuration(STEP_S * 1000),
        input_series: s.series,
        alert_rule_test: [{ eval_time: goDuration(s.evalS * 1000), alertname: g.rule.alert, exp_alerts: expected(s) }],
      });
    }
    healthySeries.push(...silent.series.map((x) => ({ series: x.series, values: extend(x.values, 8 * 60) })));
  }
  // A healthy mesh over several hours fires nothing.
  tests.push({
    interval: goDuration(STEP_S * 1000),
    input_series: uniqueBy(healthySeries, (s) => s.series),
    alert_rule_test: [1, 3, 6].flatMap((h) => rules.map((g) => ({ eval_time: `${h}h`, alertname: g.rule.alert, exp_alerts: [] }))),
  });
  return { rule_files: [ruleFile], evaluation_interval: goDuration(STEP_S * 1000), tests };
}

/** Repeats the last segment's pattern until the series has at least `minutes` samples (for healthy series). */
function extend(values: string, minutes: number): string {
  const count = values.split(' ').reduce((n, seg) => n + Number(/x(\d+)$/.exec(seg)?.[1] ?? 0) + 1, 0);
  if (count >= minutes) return values;
  const m = /^(-?\d+)x(\d+)$/.exec(values);
  if (m) return `${m[1]}x${minutes}`;
  const r = /^(-?\d+)([+-])(\d+)x(\d+)$/.exec(values);
  if (r) return `${r[1]}${r[2]}${r[3]}x${minutes}`;
  return values;
}
