/**
 * Certificate-health alert rules as plain data (Prometheus rule format), derived from the configured integration
 * and lifetimes. Only metrics that exist in the setup are used (docs/reference.md §7). Knows nothing of cdk8s.
 */
import { certManagerHolds } from './cert-manager-version';
import { goDuration } from './durations';
import { holds } from './istio-version';
import { caExpirySeconds, METRIC_LABEL_VALUES, METRICS } from './metrics';

/** The library's alerts (stable names: they appear in pages, silences and docs/alerts.md). */
export enum CertAlert {
  CA_INTERMEDIATE_EXPIRING = 'IstioCaIntermediateExpiring',
  CA_ROOT_EXPIRING = 'IstioCaRootExpiring',
  CA_SIGN_ERRORS = 'IstioCaCsrSignErrors',
  WORKLOAD_ROTATION_OVERDUE = 'IstioWorkloadCertRotationOverdue',
  WORKLOAD_CSR_FAILURES = 'IstioWorkloadCsrFailures',
  CERTIFICATE_NOT_READY = 'CertManagerCertificateNotReady',
  CERTIFICATE_RENEWAL_OVERDUE = 'CertManagerCertificateRenewalOverdue',
  CERTIFICATE_EXPIRING = 'CertManagerCertificateExpiring',
  ISSUER_NOT_READY = 'CertManagerIssuerNotReady',
  ISTIO_CSR_TLS_FAILURES = 'IstioCsrServingCertFailures',
}

/** A cert-manager Certificate the mesh depends on, with the time left at which it is in danger. */
export interface WatchedCertificate {
  readonly namespace: string;
  readonly name: string;
  /** What it is, for messages. */
  readonly role: string;
  /** Seconds of life left below which `CertManagerCertificateExpiring` fires. */
  readonly expiringBelowS: number;
}

/** A cert-manager issuer the mesh depends on. */
export interface WatchedIssuer {
  readonly kind: 'ClusterIssuer' | 'Issuer';
  readonly name: string;
  readonly namespace?: string;
}

/** Everything the rules depend on. */
export interface AlertSpec {
  readonly istioVersion: string;
  /** cert-manager version (`v1.<minor>`): issuer readiness metrics exist from v1.20 (§7.5). */
  readonly certManagerVersion: string;
  /** istiod signs with a plug-in intermediate (cacerts): chain and root gauges exist. */
  readonly istiodPluginCa: boolean;
  /** istiod signs or acts as RA: sign-error counters exist. */
  readonly istiodSigns: boolean;
  /** `cacerts` is renewed by cert-manager (its gauge refresh on reload matters, §1.2). */
  readonly intermediateRenewedByCertManager: boolean;
  readonly istioCsr: boolean;
  /** Seconds left on istiod's signing chain below which the intermediate alert fires. */
  readonly intermediateExpiringBelowS: number;
  /** Seconds left on the root below which the root alert fires. */
  readonly rootExpiringBelowS: number;
  /** Seconds left on a workload certificate below which its rotation is overdue. */
  readonly workloadOverdueBelowS: number;
  /** Seconds past cert-manager's renewal time before renewal counts as overdue. */
  readonly renewalOverdueAfterS: number;
  readonly certificates: readonly WatchedCertificate[];
  readonly issuers: readonly WatchedIssuer[];
  readonly runbookBaseUrl: string;
}

/** One Prometheus alerting rule. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** A rule with the numbers its tests need. */
export interface GeneratedRule {
  readonly rule: AlertRule;
  /** The threshold in seconds, for threshold alerts (per certificate for CertManagerCertificateExpiring). */
  readonly thresholdS?: number;
  readonly forS: number;
}

/** Per-alert user changes. */
export interface RuleOverride {
  readonly thresholdS?: number;
  readonly forS?: number;
  readonly severity?: string;
  readonly disabled?: boolean;
}

function runbook(spec: AlertSpec, alert: string): string {
  return `${spec.runbookBaseUrl}#${alert.toLowerCase()}`;
}

interface Draft {
  readonly expr: string;
  readonly forS: number;
  readonly severity: string;
  readonly summary: string;
  readonly description: string;
  readonly thresholdS?: number;
}

function draft(expr: string, forS: number, severity: string, summary: string, description: string, thresholdS?: number): Draft {
  return { expr, forS, severity, summary, description, thresholdS };
}

/** `{namespace="a",name="b"}` selectors joined with `or`, one per object. */
function perObject<T extends { namespace?: string; name: string }>(items: readonly T[], term: (sel: string, item: T) => string): string {
  return items.map((i) => term(`{${i.namespace !== undefined ? `namespace="${i.namespace}",` : ''}name="${i.name}"}`, i)).join(' or ');
}

/** The rules that apply to `spec`, before overrides. Thresholds are seconds in the expressions. */
export function baseRules(spec: AlertSpec, override: (alert: string) => RuleOverride = () => ({})): GeneratedRule[] {
  const rules: GeneratedRule[] = [];
  const add = (alert: string, build: (o: RuleOverride) => Draft) => {
    const o = override(alert);
    if (o.disabled) return;
    const d = build(o);
    const forS = o.forS ?? d.forS;
    rules.push({
      rule: {
        alert,
        expr: d.expr,
        for: goDuration(forS * 1000),
        labels: { severity: o.severity ?? d.severity },
        annotations: { summary: d.summary, description: d.description, runbook_url: runbook(spec, alert) },
      },
      thresholdS: d.thresholdS,
      forS,
    });
  };

  // istiod's signing chain: the gauge is refreshed on cacerts reload only from 1.24 (§1.2); with cert-manager
  // renewing cacerts, older versions would keep alerting on the replaced intermediate, so cert-manager's own
  // Certificate metrics watch it there instead.
  if (spec.istiodPluginCa && (!spec.intermediateRenewedByCertManager || holds('CA_EXPIRY_REFRESH_ON_RELOAD', spec.istioVersion))) {
    add(CertAlert.CA_INTERMEDIATE_EXPIRING, (o) => draft(`min(${caExpirySeconds('chain', spec.istioVersion)}) < ${o.thresholdS ?? spec.intermediateExpiringBelowS}`, 600, 'critical',
      "istiod's signing certificate (cacerts intermediate) expires soon",
      'The intermediate istiod signs workload certificates with expires in {{ $value | humanizeDuration }}; renewal has failed or ' +
      'was not picked up. Workloads lose mTLS when it expires.', o.thresholdS ?? spec.intermediateExpiringBelowS));
  }
  if (spec.istiodPluginCa) {
    add(CertAlert.CA_ROOT_EXPIRING, (o) => draft(`min(${caExpirySeconds('root', spec.istioVersion)}) < ${o.thresholdS ?? spec.rootExpiringBelowS}`, 3600, 'warning',
      'The mesh root CA expires soon: start the staged root rotation',
      'The first root in istiod\'s trust bundle expires in {{ $value | humanizeDuration }}, less than the time a staged root ' +
      'rotation needs with margin.', o.thresholdS ?? spec.rootExpiringBelowS));
  }
  if (spec.istiodSigns) {
    add(CertAlert.CA_SIGN_ERRORS, () => draft(`sum by (error) (increase(${METRICS.CA_SIGN_ERRORS}[10m])) > 0`, 300, 'warning',
      'istiod fails to sign workload certificates',
      'istiod keeps failing to sign workload CSRs with error {{ $labels.error }} (TTL_ERROR: a requested lifetime exceeds ' +
      'MAX_WORKLOAD_CERT_TTL; CA_NOT_READY: the CA is not loaded).'));
  }
  if (holds('AGENT_CERT_EXPIRY_METRIC', spec.istioVersion)) {
    add(CertAlert.WORKLOAD_ROTATION_OVERDUE, (o) => draft(`min by (namespace, pod) (${METRICS.AGENT_CERT_EXPIRY_SECONDS}) < ${o.thresholdS ?? spec.workloadOverdueBelowS}`, 300, 'warning',
      'A workload certificate was not rotated in time',
      'The workload certificate of pod {{ $labels.namespace }}/{{ $labels.pod }} has {{ $value | humanizeDuration }} left, far ' +
      'below the point where its proxy should have renewed it.', o.thresholdS ?? spec.workloadOverdueBelowS));
  }
  add(CertAlert.WORKLOAD_CSR_FAILURES, () => draft(`sum by (namespace, pod) (increase(${METRICS.AGENT_FAILED_REQUESTS}{request_type="csr"}[15m])) > 0`, 300, 'warning',
    'A proxy cannot get its workload certificate from the CA',
    'The proxy of pod {{ $labels.namespace }}/{{ $labels.pod }} keeps failing CSR requests to the CA.'));

  if (spec.certificates.length > 0) {
    add(CertAlert.CERTIFICATE_NOT_READY, () => draft(perObject(spec.certificates, (sel) => `max by (namespace, name) (${METRICS.CM_CERT_READY}${sel.replace('}', ',condition="False"}')}) == 1`),
      900, 'warning',
      'A certificate the mesh depends on is not Ready',
      'cert-manager Certificate {{ $labels.namespace }}/{{ $labels.name }} is not Ready; check its CertificateRequests and issuer.'));
    add(CertAlert.CERTIFICATE_RENEWAL_OVERDUE, (o) => draft(perObject(spec.certificates, (sel) => `(time() - max by (namespace, name) (${METRICS.CM_CERT_RENEWAL}${sel})) > ${o.thresholdS ?? spec.renewalOverdueAfterS}`),
      0, 'warning',
      'cert-manager is past the renewal time of a certificate the mesh depends on',
      'cert-manager Certificate {{ $labels.namespace }}/{{ $labels.name }} was due for renewal {{ $value | humanizeDuration }} ago ' +
      'and is still not renewed.', o.thresholdS ?? spec.renewalOverdueAfterS));
    add(CertAlert.CERTIFICATE_EXPIRING, (o) => draft(perObject(spec.certificates, (sel, c) => `(min by (namespace, name) (${METRICS.CM_CERT_EXPIRATION}${sel}) - time()) < ${o.thresholdS ?? c.expiringBelowS}`),
      600, 'critical',
      'A certificate the mesh depends on expires soon',
      'cert-manager Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in {{ $value | humanizeDuration }}, well past ' +
      'its renewal point.', o.thresholdS));
  }
  if (spec.issuers.length > 0 && certManagerHolds('ISSUER_READY_METRICS', spec.certManagerVersion)) {
    const cluster = spec.issuers.filter((i) => i.kind === 'ClusterIssuer');
    const namespaced = spec.issuers.filter((i) => i.kind === 'Issuer');
    const terms = [
      ...cluster.map((i) => `max by (name) (${METRICS.CM_CLUSTERISSUER_READY}{name="${i.name}",condition="False"}) == 1`),
      ...namespaced.map((i) => `max by (namespace, name) (${METRICS.CM_ISSUER_READY}{namespace="${i.namespace}",name="${i.name}",condition="False"}) == 1`),
    ];
    add(CertAlert.ISSUER_NOT_READY, () => draft(terms.join(' or '), 600, 'critical',
      'A cert-manager issuer the mesh depends on is not Ready',
      'cert-manager issuer {{ $labels.name }} is not Ready: no certificate of the mesh can be issued or renewed through it.'));
  }
  if (spec.istioCsr) {
    add(CertAlert.ISTIO_CSR_TLS_FAILURES, () => draft(`sum(increase(${METRICS.ISTIO_CSR_TLS_REQUESTS}{success="${METRIC_LABEL_VALUES.ISTIO_CSR_FAILED}"}[15m])) > 0`, 300, 'warning',
      'istio-csr fails to renew its own serving certificate',
      'istio-csr keeps failing CertificateRequests for its serving certificate; proxies will soon fail to connect to it.'));
  }
  return rules;
}
