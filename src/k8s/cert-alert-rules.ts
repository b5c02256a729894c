import { ApiObject, Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { PodMonitor, PodMonitorSpecPodMetricsEndpointsRelabelings, PodMonitorSpecPodMetricsEndpointsRelabelingsAction } from '../imports/podmonitors-monitoring.coreos.com';
import { PrometheusRule, PrometheusRuleSpecGroups, PrometheusRuleSpecGroupsRulesExpr } from '../imports/prometheusrules-monitoring.coreos.com';
import { ServiceMonitor } from '../imports/servicemonitors-monitoring.coreos.com';
import { AlertRule, AlertSpec, baseRules, CertAlert, GeneratedRule, RuleOverride, WatchedCertificate, WatchedIssuer } from '../model/alert-rules';
import { promtoolTests } from '../model/alert-tests';
import { uniqueBy } from '../model/collections';
import { goDuration, humanDuration, lifetimeMs } from '../model/durations';
import { certManagerVersionProblem, DEFAULT_CERT_MANAGER_VERSION } from '../model/cert-manager-version';
import { check, deepTokenProblem, fail, withPath } from '../model/errors';
import { ISTIO_DEFAULTS } from '../model/istio-settings';
import { labelProblem, namespaceProblem, objectNameProblem } from '../model/k8s-names';
import { LIFETIME_RULES } from '../model/lifetime-rules';
import { promqlProblem, templateProblem } from '../model/promql';
import { rootRotationPlanMs } from '../model/rotation';
import { MANAGED_BY } from './_scope';
import { IstioCustomCa } from './istio-custom-ca';
import { OutputFile, OutputFolder } from './output-file';

export { CertAlert } from '../model/alert-rules';

const NAME = 'CertAlertRules';
const GROUP = 'istio-custom-ca.certificates';

/** Alert severities. */
export enum AlertSeverity {
  CRITICAL = 'critical',
  WARNING = 'warning',
  INFO = 'info',
}

/** A change to one of the library's alerts. */
export interface AlertOverride {
  /** Which alert. */
  readonly alert: CertAlert;
  /**
   * New time threshold (alerts on time left or overdue time only).
   * @default - derived from the configuration
   */
  readonly threshold?: Duration;
  /**
   * New `for` duration (how long the condition must hold). Named `forDuration`: `for` is a reserved word in most
   * languages jsii targets.
   * @default - the alert's own
   */
  readonly forDuration?: Duration;
  /**
   * New severity.
   * @default - the alert's own
   */
  readonly severity?: AlertSeverity;
  /**
   * Drop the alert.
   * @default false
   */
  readonly disabled?: boolean;
}

/** A rule of your own, added with `addRule()`. */
export interface CustomAlertRule {
  /** Alert name (CamelCase). */
  readonly alert: string;
  /** PromQL expression. */
  readonly expr: string;
  /**
   * How long the expression must hold (the rule's `for`).
   * @default Duration.minutes(5)
   */
  readonly forDuration?: Duration;
  /**
   * Severity label.
   * @default AlertSeverity.WARNING
   */
  readonly severity?: AlertSeverity;
  /** One-line summary. */
  readonly summary: string;
  /** Description; name the object and its remaining time with `{{ $labels.x }}` and `{{ $value }}`. */
  readonly description: string;
  /**
   * Runbook URL.
   * @default - none
   */
  readonly runbookUrl?: string;
}

/** Props of `CertAlertRules`. */
export interface CertAlertRulesProps {
  /** The mesh CA whose integration and lifetimes the alerts are derived from. */
  readonly ca: IstioCustomCa;
  /**
   * Namespace of the PrometheusRule (and monitors).
   * @default - the istiod namespace
   */
  readonly namespace?: string;
  /**
   * Name of the PrometheusRule and of the rule files in `alerts/`.
   * @default 'istio-custom-ca-certificates'
   */
  readonly name?: string;
  /**
   * Labels on the PrometheusRule, for your Prometheus' `ruleSelector` (e.g. `release: kube-prometheus-stack`).
   * @default - none besides app.kubernetes.io/managed-by
   */
  readonly ruleLabels?: Record<string, string>;
  /**
   * Warn when the root has less than this left. Must exceed one full staged root-rotation plan.
   * @default Duration.days(180)
   */
  readonly rootExpiryLeadTime?: Duration;
  /**
   * With `manualPluginCa` (no renewBefore known): alert when istiod's intermediate has less than this left.
   * @default Duration.days(30)
   */
  readonly manualIntermediateExpiryLeadTime?: Duration;
  /**
   * How long past cert-manager's renewal time a certificate may stay unrenewed.
   * @default Duration.hours(1)
   */
  readonly renewalOverdueAfter?: Duration;
  /**
   * Base URL of the runbook; each alert links to `<base>#<alertname in lowercase>`.
   * @default 'docs/alerts.md' (the runbook shipped with this library; set your hosted copy's URL)
   */
  readonly runbookBaseUrl?: string;
  /**
   * Changes to the library's alerts.
   * @default - none
   */
  readonly overrides?: AlertOverride[];
  /**
   * cert-manager version running in the cluster, `v1.<minor>`; issuer readiness metrics (and so
   * `CertManagerIssuerNotReady`) exist only from v1.20.
   * @default 'v1.21'
   */
  readonly certManagerVersion?: string;
  /**
   * Also define a PodMonitor for sidecar agents (the `istio-proxy` container, scraped at the port and path of its
   * `prometheus.io/*` annotations, 15020 `/stats/prometheus`) and a ServiceMonitor for istiod (`http-monitoring`),
   * so that the Istio metrics the alerts use are scraped. cert-manager and istio-csr metrics need their own
   * monitors (their Helm charts' `prometheus.servicemonitor.enabled`); see docs/alerts.md.
   * @default false
   */
  readonly monitors?: boolean;
}

/**
 * Certificate-health alerts for the configured mesh CA, using only metrics that exist in that setup
 * (docs/reference.md §7), with thresholds derived from the configured lifetimes. Emits a
 * `monitoring.coreos.com/v1` PrometheusRule (child 'Resource'), and the same groups as a plain Prometheus rule
 * file plus a promtool unit-test file in `alerts/`.
 */
export class CertAlertRules extends Construct {
  /** The PrometheusRule. */
  public readonly resource: ApiObject;
  /** Name of the rule group and files. */
  public readonly name: string;
  private readonly generated: GeneratedRule[];
  private readonly custom: AlertRule[] = [];
  private readonly spec: AlertSpec;
  private readonly workloadTtlS: number;
  private readonly graceRatio: number;

  public constructor(scope: Construct, id: string, props: CertAlertRulesProps) {
    super(scope, id);
    try {
      // No cdktf token may reach a manifest through any string prop (Issue 11).
      check(NAME, deepTokenProblem(props));
      const ca = props.ca;
      this.name = props.name ?? 'istio-custom-ca-certificates';
      const namespace = props.namespace ?? ca.istioNamespace;
      check(NAME, objectNameProblem('name', this.name));
      check(NAME, namespaceProblem('namespace', namespace));
      const certManagerVersion = props.certManagerVersion ?? DEFAULT_CERT_MANAGER_VERSION;
      checkPlainProps(props, certManagerVersion);

      const ttlMs = ca.workloadCertTtl.toMilliseconds();
      const time = (prop: string, d: unknown) => lifetimeMs(NAME, prop, d, LIFETIME_RULES.alertTime);
      const plan = rootRotationPlanMs(ttlMs);
      const lead = time('rootExpiryLeadTime', props.rootExpiryLeadTime ?? Duration.days(180));
      if (lead <= plan) {
        fail(NAME, `'rootExpiryLeadTime' (${goDuration(lead)}) must exceed one full staged root rotation (${humanDuration(plan)}: ` +
          `two workload certificate lifetimes of ${goDuration(ttlMs)} plus jitter, and a day for the istiod restart and checks); ` +
          'raise rootExpiryLeadTime');
      }
      const manualLead = time('manualIntermediateExpiryLeadTime', props.manualIntermediateExpiryLeadTime ?? Duration.days(30));
      const overdueAfter = time('renewalOverdueAfter', props.renewalOverdueAfter ?? Duration.hours(1));

      const overrides = ruleOverrides(props.overrides ?? [], time);

      // The integration says what it signs through and which certificates it depends on; the alerts only watch them.
      const contribution = ca._contribution;
      const traits = ca.integration._variant().traits;
      const certificates: WatchedCertificate[] = [
        ...contribution.watchedCertificates,
        ...contribution.issuers.flatMap((i) => i.rootCertificate ? [{ ...i.rootCertificate, role: 'mesh root', expiringBelowS: lead / 1000 }] : []),
      ];
      const issuers: WatchedIssuer[] = contribution.issuers.map((i) => ({ kind: i.kind, name: i.name, namespace: i.namespace }));

      this.workloadTtlS = ttlMs / 1000;
      this.graceRatio = ca.gracePeriodRatio;
      this.spec = {
        istioVersion: ca.istioVersion,
        certManagerVersion,
        istiodPluginCa: traits.istiodPluginCa,
        istiodSigns: traits.istiodSigns,
        intermediateRenewedByCertManager: traits.intermediateRenewedByCertManager,
        istioCsr: traits.istioCsr,
        intermediateExpiringBelowS: contribution.intermediateExpiringBelowS ?? manualLead / 1000,
        rootExpiringBelowS: lead / 1000,
        // The agent renews with ratio×lifetime left (± jitter); half of that left means renewal is overdue (§5.1, §7.6).
        workloadOverdueBelowS: Math.round(this.workloadTtlS * this.graceRatio / 2),
        renewalOverdueAfterS: overdueAfter / 1000,
        certificates: uniqueBy(certificates, (c) => `${c.namespace}/${c.name}`),
        issuers: uniqueBy(issuers, (i) => `${i.kind}/${i.namespace ?? ''}/${i.name}`),
        runbookBaseUrl: props.runbookBaseUrl ?? 'docs/alerts.md',
      };
      this.generated = baseRules(this.spec, (alert) => overrides.get(alert) ?? {});
      // An override of an alert this setup never emits would silently do nothing.
      const emitted = new Set(baseRules(this.spec).map((g) => g.rule.alert));
      for (const alert of overrides.keys()) {
        if (!emitted.has(alert)) {
          fail(NAME, `'overrides' names ${alert}, which is not emitted for this integration, Istio ${ca.istioVersion} and cert-manager ` +
            `${certManagerVersion} (emitted: ${[...emitted].join(', ')}); remove the override`);
        }
      }

      this.resource = new PrometheusRule(this, 'Resource', {
        metadata: { name: this.name, namespace, labels: { ...MANAGED_BY, ...props.ruleLabels } },
        spec: { groups: Lazy.any({ produce: () => this.l1Groups() }) as unknown as PrometheusRuleSpecGroups[] },
      });
      new OutputFile(this, 'RuleFile', OutputFolder.ALERTS, `${this.name}.rules.yaml`,
        'Prometheus rule file: load it with rule_files in prometheus.yml; check it with `promtool check rules`',
        { produce: () => ({ groups: this.groups() }) });
      new OutputFile(this, 'RuleTests', OutputFolder.ALERTS, `${this.name}.test.yaml`,
        `promtool unit tests for the library's alerts: promtool test rules ${this.name}.test.yaml`,
        { produce: () => promtoolTests(`${this.name}.rules.yaml`, this.spec, this.generated, this.workloadTtlS, this.graceRatio) });

      if (props.monitors) this.monitors(ca, namespace);
    } catch (e) {
      throw withPath(e, NAME, this.node.path);
    }
  }

  /** The alert names in the group (library rules, then yours). */
  public get alertNames(): string[] {
    return [...this.generated.map((g) => g.rule.alert), ...this.custom.map((r) => r.alert)];
  }

  /** Adds a rule of your own to the group (PrometheusRule and rule file; no generated promtool test). */
  public addRule(rule: CustomAlertRule): void {
    check(NAME, deepTokenProblem(rule, 'addRule'));
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(rule.alert)) {
      fail(NAME, `addRule 'alert' (${rule.alert}) must be a Prometheus alert name: letters, digits and '_', not starting with a digit`);
    }
    if (this.alertNames.includes(rule.alert)) fail(NAME, `addRule 'alert' (${rule.alert}) already exists in group ${this.name}; choose another name`);
    check(NAME, promqlProblem(`addRule(${rule.alert}).expr`, rule.expr));
    check(NAME, templateProblem(`addRule(${rule.alert}).summary`, rule.summary));
    check(NAME, templateProblem(`addRule(${rule.alert}).description`, rule.description));
    this.custom.push({
      alert: rule.alert,
      expr: rule.expr,
      for: goDuration(lifetimeMs(NAME, `addRule(${rule.alert}).forDuration`, rule.forDuration ?? Duration.minutes(5), LIFETIME_RULES.alertTime)),
      labels: { severity: rule.severity ?? AlertSeverity.WARNING },
      annotations: { summary: rule.summary, description: rule.description, ...(rule.runbookUrl ? { runbook_url: rule.runbookUrl } : {}) },
    });
  }

  /** The same groups in the generated L1's types (its `expr` is an int-or-string wrapper). */
  private l1Groups(): PrometheusRuleSpecGroups[] {
    return [{ name: GROUP, rules: this.rules().map((r) => ({ ...r, expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr) })) }];
  }

  private rules(): AlertRule[] {
    return [...this.generated.map((g) => g.rule), ...this.custom];
  }

  private groups(): unknown[] {
    return [{ name: GROUP, rules: this.rules() }];
  }

  /**
   * Scrape targets for the Istio metrics above (facts §7.1, §7.2). The injected sidecar declares only port 15090, so
   * a PodMonitor on port 15020 finds no target; as Istio's own prometheus-operator sample does
   * (https://github.com/istio/istio/blob/1.30.3/samples/addons/extras/prometheus-operator.yaml), keep the
   * `istio-proxy` container of annotated pods and point `__address__` at the `prometheus.io/port` annotation.
   */
  private monitors(ca: IstioCustomCa, namespace: string): void {
    new PodMonitor(this, 'SidecarAgents', {
      metadata: { name: 'istio-sidecar-agents', namespace, labels: MANAGED_BY },
      spec: {
        namespaceSelector: { any: true },
        selector: { matchExpressions: [{ key: 'security.istio.io/tlsMode', operator: 'Exists' }] },
        podMetricsEndpoints: [{
          path: '/stats/prometheus',
          interval: '30s',
          relabelings: SIDECAR_SCRAPE_RELABELINGS.map((r) => ({ ...r })),
        }],
      },
    });
    // istiod's own metrics exist only where it signs (§7.1).
    if (ca.integration._variant().traits.istiodSigns) {
      new ServiceMonitor(this, 'Istiod', {
        metadata: { name: 'istiod', namespace, labels: MANAGED_BY },
        spec: {
          namespaceSelector: { matchNames: [ca.istioNamespace ?? ISTIO_DEFAULTS.istioNamespace] },
          selector: { matchLabels: { istio: 'pilot' } },
          endpoints: [{ port: 'http-monitoring', interval: '30s' }],
        },
      });
    }
  }
}

/**
 * Relabelling that turns every declared port of an annotated pod's `istio-proxy` container into one target at
 * `<pod IP>:<prometheus.io/port>` (15020 with Istio's metrics merging), IPv4 and IPv6.
 */
const SIDECAR_SCRAPE_RELABELINGS: readonly PodMonitorSpecPodMetricsEndpointsRelabelings[] = [
  { action: PodMonitorSpecPodMetricsEndpointsRelabelingsAction.KEEP, sourceLabels: ['__meta_kubernetes_pod_container_name'], regex: 'istio-proxy' },
  { action: PodMonitorSpecPodMetricsEndpointsRelabelingsAction.KEEP, sourceLabels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'], regex: 'true' },
  {
    action: PodMonitorSpecPodMetricsEndpointsRelabelingsAction.REPLACE,
    sourceLabels: ['__meta_kubernetes_pod_annotation_prometheus_io_port', '__meta_kubernetes_pod_ip'],
    regex: '(\\d+);(([A-Fa-f0-9]{1,4}::?){1,7}[A-Fa-f0-9]{1,4})',
    replacement: '[$2]:$1',
    targetLabel: '__address__',
  },
  {
    action: PodMonitorSpecPodMetricsEndpointsRelabelingsAction.REPLACE,
    sourceLabels: ['__meta_kubernetes_pod_annotation_prometheus_io_port', '__meta_kubernetes_pod_ip'],
    regex: '(\\d+);((([0-9]+?)(\\.|$)){4})',
    replacement: '$2:$1',
    targetLabel: '__address__',
  },
  { action: PodMonitorSpecPodMetricsEndpointsRelabelingsAction.REPLACE, sourceLabels: ['__meta_kubernetes_namespace'], targetLabel: 'namespace' },
  { action: PodMonitorSpecPodMetricsEndpointsRelabelingsAction.REPLACE, sourceLabels: ['__meta_kubernetes_pod_name'], targetLabel: 'pod' },
];

/** Alerts with a time threshold that `AlertOverride.threshold` may change. */
const THRESHOLD_ALERTS: ReadonlySet<string> = new Set([
  CertAlert.CA_INTERMEDIATE_EXPIRING, CertAlert.CA_ROOT_EXPIRING, CertAlert.WORKLOAD_ROTATION_OVERDUE,
  CertAlert.CERTIFICATE_RENEWAL_OVERDUE, CertAlert.CERTIFICATE_EXPIRING,
]);

/** The props that need no mesh: runbook URL, cert-manager version and rule labels. */
function checkPlainProps(props: CertAlertRulesProps, certManagerVersion: string): void {
  // The runbook URL goes into every alert's annotations, which Prometheus expands as Go templates.
  const url = props.runbookBaseUrl;
  if (url !== undefined && (typeof url !== 'string' || url === '' || /[\s{}]/.test(url) || url.length > 2048)) {
    fail(NAME, `'runbookBaseUrl' (${url}) must be a URL or path without spaces or braces, e.g. ` +
      'https://runbooks.example.com/istio-custom-ca/alerts.md; Prometheus expands annotations as templates');
  }
  check(NAME, certManagerVersionProblem('certManagerVersion', certManagerVersion));
  for (const [k, v] of Object.entries(props.ruleLabels ?? {})) check(NAME, labelProblem('ruleLabels', k, v));
}

/** Each override by alert name, with its times in seconds; an alert overridden twice or a threshold on an alert without one is refused. */
function ruleOverrides(list: AlertOverride[], time: (prop: string, d: unknown) => number): Map<string, RuleOverride> {
  const overrides = new Map<string, RuleOverride>();
  for (const o of list) {
    if (overrides.has(o.alert)) fail(NAME, `'overrides' changes ${o.alert} twice; merge the two overrides into one`);
    if (o.threshold !== undefined && !THRESHOLD_ALERTS.has(o.alert)) {
      fail(NAME, `'overrides' threshold of ${o.alert} is not allowed: it has no time threshold (only ${[...THRESHOLD_ALERTS].join(', ')})`);
    }
    overrides.set(o.alert, {
      thresholdS: o.threshold !== undefined ? time(`overrides[${o.alert}].threshold`, o.threshold) / 1000 : undefined,
      forS: o.forDuration !== undefined ? time(`overrides[${o.alert}].forDuration`, o.forDuration) / 1000 : undefined,
      severity: o.severity,
      disabled: o.disabled,
    });
  }
  return overrides;
}
