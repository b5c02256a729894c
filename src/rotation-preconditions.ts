import { X509Certificate } from 'node:crypto';
import { CertAlert } from './model/alert-rules';
import { humanDuration } from './model/durations';
import { IntegrationTraits } from './model/integration-traits';
import { dnText, pemCertificates } from './model/pem';
import { RotationWaits } from './model/rotation';
import { ObservedPhase } from './rotation-evidence';

/** Version of the `preconditions.json` format, written into every file. */
export const PRECONDITIONS_SCHEMA = 'istio-custom-ca.io/phase-preconditions/v1';

/** One root CA, as a person or a script finds it in `istioctl proxy-config secret` output. */
export interface PreconditionRoot {
  /** `current` (the root in use before the plan) or `new`. */
  readonly role: string;
  /** Subject distinguished name. */
  readonly subject: string;
  /** SHA-256 fingerprint of the DER certificate, upper-case hex with colons (as `openssl x509 -fingerprint -sha256`). */
  readonly sha256Fingerprint: string;
  /** Expiry (ISO 8601). */
  readonly notAfter: string;
  /** The public certificate (never a key). */
  readonly pem: string;
}

/** How long after the previous phase was applied this one may be. */
export interface PreconditionTime {
  /** Folder of the previous phase; undefined for the first phase. */
  readonly afterPhase?: string;
  /** Minimum wait after the previous phase was applied (synced), in seconds. */
  readonly minWaitSeconds: number;
  /** The same, for people. */
  readonly minWait: string;
  /** The wait counts from the last workload restart after the previous phase, not from the apply. */
  readonly fromLastWorkloadRestart: boolean;
}

/** What must be true before one phase folder is applied (`<folder>/preconditions.json`). */
export interface PhasePreconditions {
  /** Always `PRECONDITIONS_SCHEMA`. */
  readonly schema: string;
  /** Phase number (1-based). */
  readonly phase: number;
  /** The phase folder these conditions gate. */
  readonly folder: string;
  /** Earliest time to apply it. */
  readonly notBefore: PreconditionTime;
  /** Roots that every workload's ROOTCA must hold now. */
  readonly everyWorkloadTrusts: PreconditionRoot[];
  /** The root every workload certificate must chain to now. */
  readonly everyWorkloadCertificateChainsTo: PreconditionRoot;
  /** Alerts (of `CertAlertRules` for this integration) that must not be firing. */
  readonly silentAlerts: string[];
}

/** One phase as the preconditions see it: the roots trusted and the root issuing while it is live. */
interface PhaseState {
  readonly folder: string;
  readonly trusted: readonly PreconditionRoot[];
  readonly issuing: PreconditionRoot;
  /** Wait after this phase before the next one (ms). */
  readonly waitAfterMs: number;
  /** The wait counts from the last workload restart (the phase needs every workload restarted once). */
  readonly waitFromRestart: boolean;
}

/** The root of `pem` for the preconditions: subject, fingerprint and expiry read from the certificate itself. */
export function preconditionRoot(role: string, pem: string): PreconditionRoot {
  const first = pemCertificates(pem)[0];
  const cert = new X509Certificate(first);
  // fingerprint256: upper-case hex with colons, as openssl prints it.
  return { role, subject: dnText(cert.subject), sha256Fingerprint: cert.fingerprint256, notAfter: new Date(cert.validTo).toISOString(), pem: first };
}

/**
 * The alerts a phase needs silent: workload CSR failures and overdue rotation always (the istio-agent metrics every
 * setup has), plus the signer's own: istiod's sign errors where istiod signs, istio-csr's serving certificate where
 * it serves, cert-manager Certificate readiness where cert-manager issues (docs/alerts.md).
 */
export function gateAlerts(traits: IntegrationTraits): string[] {
  return [
    CertAlert.WORKLOAD_CSR_FAILURES, CertAlert.WORKLOAD_ROTATION_OVERDUE,
    ...(traits.istiodSigns ? [CertAlert.CA_SIGN_ERRORS] : []),
    ...(traits.istioCsr ? [CertAlert.ISTIO_CSR_TLS_FAILURES] : []),
    ...(traits.intermediateRenewedByCertManager || traits.istioCsr ? [CertAlert.CERTIFICATE_NOT_READY] : []),
  ];
}

/** A phase as a plan hands it to its builder (`RotationPhase`). */
export interface PlannedPhase {
  readonly folder: string;
  readonly issueFromNew: boolean;
  readonly trustedRootsPem: readonly string[];
}

/**
 * The root a phase issues from and the roots it trusts: as its files show them (read back and checked, so A or B
 * wherever they show anything), the phase settings only where the files cannot show them.
 */
export function phaseState(seen: ObservedPhase, settings: PlannedPhase): { issueFrom: 'A' | 'B'; trust: ('A' | 'B')[] } {
  return {
    issueFrom: seen.issueFrom === 'A' || seen.issueFrom === 'B' ? seen.issueFrom : settings.issueFromNew ? 'B' : 'A',
    trust: (seen.trust ?? (settings.trustedRootsPem.length === 2 ? ['A', 'B'] : ['B'])).filter((r): r is 'A' | 'B' => r !== '?'),
  };
}

/** When a phase (or step) may be applied: `waitMs` after `afterPhase`, counted from the last workload restart when `fromRestart`. */
export function preconditionTime(afterPhase: string | undefined, waitMs: number, fromRestart: boolean): PreconditionTime {
  return { afterPhase, minWaitSeconds: Math.ceil(waitMs / 1000), minWait: humanDuration(waitMs), fromLastWorkloadRestart: fromRestart };
}

/**
 * Preconditions of each phase of a root change A → B (`RootCaRotation`, `AdoptEnterpriseCa`): trust and signer as the
 * generated files configure them (`observed`, read back and checked), the phase settings only where the files cannot
 * show them; waits after phases 1 and 2, the first counted from the last workload restart when `firstWaitFromRestart`.
 */
export function planPreconditions(phases: readonly PlannedPhase[], observed: readonly ObservedPhase[], waits: RotationWaits,
  firstWaitFromRestart: boolean, traits: IntegrationTraits): PhasePreconditions[] {
  const [a, b] = phases[0].trustedRootsPem;
  const roots = { A: preconditionRoot('current', a), B: preconditionRoot('new', b) };
  const after = [waits.afterTrustBothMs, waits.afterIssueFromNewMs, 0];
  const states: PhaseState[] = phases.map((p, i) => {
    const { issueFrom, trust } = phaseState(observed[i], p);
    return { folder: p.folder, trusted: trust.map((r) => roots[r]), issuing: roots[issueFrom], waitAfterMs: after[i], waitFromRestart: i === 0 && firstWaitFromRestart };
  });
  return phasePreconditions({ folder: '', trusted: [roots.A], issuing: roots.A, waitAfterMs: 0, waitFromRestart: false }, states, traits);
}

/**
 * Preconditions of each phase, from the state before the plan and the phases: before phase N the mesh is in the
 * state phase N−1 left, and phase N−1's wait has passed.
 */
function phasePreconditions(before: PhaseState, phases: readonly PhaseState[], traits: IntegrationTraits): PhasePreconditions[] {
  return phases.map((p, i) => {
    const prev = i === 0 ? undefined : phases[i - 1];
    const state = prev ?? before;
    const waitMs = prev?.waitAfterMs ?? 0;
    return {
      schema: PRECONDITIONS_SCHEMA,
      phase: i + 1,
      folder: p.folder,
      notBefore: preconditionTime(prev?.folder, waitMs, prev?.waitFromRestart ?? false),
      everyWorkloadTrusts: [...state.trusted],
      everyWorkloadCertificateChainsTo: state.issuing,
      silentAlerts: gateAlerts(traits),
    };
  });
}

/**
 * The runbook's section on checking a phase's preconditions by hand (shell, kubectl, istioctl, openssl, Prometheus).
 * `fleet`: the fleet plan's files, whose roots and alerts are per cluster (`FleetRootRotation`).
 */
export function preconditionChecks(fleet?: { readonly schema: string }): string[] {
  // jq selects a cluster's entry in a fleet step's file.
  const sel = fleet ? '.clusters[] | select(.name=="<cluster>") | ' : '';
  return [
    `## Before each ${fleet ? 'step' : 'phase'}: \`<folder>/preconditions.json\``,
    '',
    `Each ${fleet ? 'step' : 'phase'} folder holds \`preconditions.json\` (schema \`${fleet?.schema ?? PRECONDITIONS_SCHEMA}\`): what must be true before that`,
    `folder is applied${fleet ? ', per cluster under `clusters` (run each check in every cluster)' : ''}. CI can gate the commit on it; by hand, for each field:`,
    '',
    '- `notBefore`: the previous phase (`afterPhase`) was synced at least `minWait` ago (from the last workload restart when',
    '  `fromLastWorkloadRestart`). Argo CD: `kubectl -n argocd get application <app> -o jsonpath=\'{.status.operationState.finishedAt}\'`;',
    '  Flux: `flux get kustomizations <name>` (last applied revision and time).',
    '- `everyWorkloadTrusts`: for sampled pods of every namespace, the ROOTCA holds each listed root:',
    '  ```sh',
    '  istioctl proxy-config secret <pod> -n <ns> -o json \\',
    '    | jq -r \'.dynamicActiveSecrets[] | select(.name=="ROOTCA") | .secret.validationContext.trustedCa.inlineBytes\' | base64 -d > rootca.pem',
    '  awk \'/BEGIN/{n++} {print > ("rootca-" n ".pem")}\' rootca.pem',
    '  for f in rootca-*.pem; do openssl x509 -in "$f" -noout -fingerprint -sha256; done   # compare with sha256Fingerprint',
    '  ```',
    '- `everyWorkloadCertificateChainsTo`: the workload certificate verifies against that root alone:',
    '  ```sh',
    `  jq -r '${sel}.everyWorkloadCertificateChainsTo.pem' preconditions.json > expected-root.pem`,
    '  istioctl proxy-config secret <pod> -n <ns> -o json \\',
    '    | jq -r \'.dynamicActiveSecrets[] | select(.name=="default") | .secret.tlsCertificate.certificateChain.inlineBytes\' | base64 -d > chain.pem',
    '  openssl verify -CAfile expected-root.pem -untrusted chain.pem chain.pem',
    '  ```',
    '- `silentAlerts`: none is firing:',
    '  ```sh',
    '  curl -sG "$PROMETHEUS_URL/api/v1/query" --data-urlencode \\',
    `    "query=ALERTS{alertstate=\\"firing\\",alertname=~\\"$(jq -r '${sel}.silentAlerts | join("|")' preconditions.json)\\"}" | jq '.data.result | length'   # 0`,
    '  ```',
    '',
  ];
}
