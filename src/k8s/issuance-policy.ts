import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import {
  CertificateRequestPolicy, CertificateRequestPolicySpec, CertificateRequestPolicySpecAllowedUsages,
} from '../imports/approver-policy-policy.cert-manager.io';
import { DISABLE_DEFAULT_APPROVER_FLAG } from '../model/cert-manager';
import { goDuration } from '../model/durations';
import { fail } from '../model/errors';
import { CERT_MANAGER_CONTROLLER, IssuanceRequest, issuancePolicyName, Requester } from '../model/issuance-policy';
import { namespaceProblem, objectNameProblem } from '../model/k8s-names';
import { MANAGED_BY } from './_scope';
import { IssuanceContribution } from './integrations/integration-variant';

/** Options of `IssuancePolicy.approverPolicy()`. */
export interface ApproverPolicyOptions {
  /**
   * Namespace of cert-manager's controller, which creates the CertificateRequests of Certificates (`cacerts`, istiod's).
   * @default 'cert-manager'
   */
  readonly certManagerNamespace?: string;
  /**
   * ServiceAccount of cert-manager's controller.
   * @default 'cert-manager'
   */
  readonly certManagerServiceAccount?: string;
}

/** What one issuance policy adds to the mesh. */
export interface IssuancePolicyBinding {
  /** NOTES.md section. */
  readonly notes: readonly string[];
  /** Creates the policy objects under `scope`. */
  render(scope: Construct): void;
}

/**
 * Who approves the mesh's cert-manager CertificateRequests. Enum-like: use a static factory; each variant renders itself.
 * cert-manager approves every request by default, so whoever can create one against the mesh issuer can obtain any
 * SPIFFE identity; `approverPolicy()` emits cert-manager approver-policy objects that allow only what the integration
 * requests, each bound by RBAC `use` to the one identity that requests it.
 */
export class IssuancePolicy {
  /** cert-manager's built-in approver approves every request (cert-manager's default); NOTES.md says what that grants. */
  public static certManagerDefaultApprover(): IssuancePolicy {
    return new IssuancePolicy(undefined);
  }

  /**
   * A `CertificateRequestPolicy` (policy.cert-manager.io/v1alpha1) per kind of request the integration makes, with a
   * Role and RoleBinding granting `use` on it to its one requester. Needs approver-policy installed and cert-manager's
   * default approver turned off (NOTES.md). Plug-in CA via cert-manager, and istio-csr without ambient.
   */
  public static approverPolicy(options: ApproverPolicyOptions = {}): IssuancePolicy {
    return new IssuancePolicy(options);
  }

  private constructor(private readonly approver: ApproverPolicyOptions | undefined) {}

  /** True for `approverPolicy()`: every request the mesh makes needs a policy, or it stays pending. */
  public get isApproverPolicy(): boolean {
    return this.approver !== undefined;
  }

  /** @internal Validates against the integration's issuance and returns what to render. */
  public _bind(who: string, issuance: IssuanceContribution): IssuancePolicyBinding {
    const o = this.approver;
    if (o === undefined) {
      return { notes: [...issuance.notes, ...(issuance.requests.length > 0 ? DEFAULT_APPROVER_NOTES : [])], render: () => undefined };
    }
    if (issuance.unpolicedWhy !== undefined) fail(who, `'issuancePolicy' (approverPolicy) cannot be used here: ${issuance.unpolicedWhy}`);
    const controller: Requester = {
      namespace: o.certManagerNamespace ?? CERT_MANAGER_CONTROLLER.namespace,
      serviceAccount: o.certManagerServiceAccount ?? CERT_MANAGER_CONTROLLER.serviceAccount,
    };
    const problem = namespaceProblem('issuancePolicy certManagerNamespace', controller.namespace) ??
      objectNameProblem('issuancePolicy certManagerServiceAccount', controller.serviceAccount);
    if (problem) fail(who, problem);
    const requests = issuance.requests.map((r) => ({ ...r, requester: r.requester ?? controller }));
    return {
      notes: [...issuance.notes, ...approverNotes(requests)],
      render: (scope) => requests.forEach((r) => renderPolicy(scope, r)),
    };
  }
}

/** The policy, and a Role + RoleBinding in the requests' namespace granting `use` on it to the one requester. */
function renderPolicy(scope: Construct, r: IssuanceRequest & { requester: Requester }): void {
  const name = issuancePolicyName(r.namespace, r.id);
  const c = new Construct(scope, `IssuancePolicy-${r.id}`);
  new CertificateRequestPolicy(c, 'Resource', { metadata: { name, labels: MANAGED_BY }, spec: policySpec(r) });
  // approver-policy asks a SubjectAccessReview for `use` in the request's namespace (approver-policy
  // pkg/internal/approver/manager/predicate/predicate.go RBACBound), so a namespaced Role suffices.
  const role = `cert-manager-policy:${name}`;
  new k8s.KubeRole(c, 'Role', {
    metadata: { name: role, namespace: r.namespace, labels: MANAGED_BY },
    rules: [{ apiGroups: [CertificateRequestPolicy.GVK.apiVersion.split('/')[0]], resources: ['certificaterequestpolicies'], verbs: ['use'], resourceNames: [name] }],
  });
  new k8s.KubeRoleBinding(c, 'RoleBinding', {
    metadata: { name: role, namespace: r.namespace, labels: MANAGED_BY },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
    subjects: [{ kind: 'ServiceAccount', name: r.requester.serviceAccount, namespace: r.requester.namespace }],
  });
}

/** Everything a request may carry is listed; anything else present in a request denies it (evaluator.go). */
function policySpec(r: IssuanceRequest): CertificateRequestPolicySpec {
  return {
    allowed: {
      ...(r.commonName !== undefined ? { commonName: { value: r.commonName, required: true } } : {}),
      ...(r.dnsNames ? { dnsNames: { values: [...r.dnsNames], required: true } } : {}),
      ...(r.uris ? { uris: { values: [...r.uris], required: true } } : {}),
      ...(r.organizations ? { subject: { organizations: { values: [...r.organizations] } } } : {}),
      ...(r.isCa ? { isCa: true } : {}),
      usages: r.usages.map((u) => u as CertificateRequestPolicySpecAllowedUsages),
    },
    constraints: {
      ...(r.minDurationMs !== undefined ? { minDuration: goDuration(r.minDurationMs) } : {}),
      maxDuration: goDuration(r.maxDurationMs),
    },
    selector: {
      issuerRef: { ...r.issuerRef },
      namespace: { matchNames: [r.namespace] },
    },
  };
}

/** Turning off cert-manager's approver is cluster-wide (cert-manager docs: approval, approver-policy installation). */
const TURN_OFF_DEFAULT_APPROVER = [
  'Turn off cert-manager\'s default approver: Helm `--set disableAutoApproval=true` (cert-manager 1.15+) or controller flag',
  `\`${DISABLE_DEFAULT_APPROVER_FLAG}\`. This is cluster-wide: from then on every CertificateRequest in the`,
  'cluster (every Certificate, ingress-shim, csi-driver) stays pending until some approver-policy policy bound to its',
  'requester approves it. Before turning it off, add policies for everything else the cluster issues (or a catch-all',
  'policy for the other issuers), then check with `kubectl get certificaterequests -A` that nothing is left pending.',
];

function approverNotes(requests: readonly (IssuanceRequest & { requester: Requester })[]): string[] {
  return [
    '', '## Issuance policy: cert-manager approver-policy', '',
    'Each CertificateRequestPolicy below allows only what one requester legitimately asks for, and a Role in the',
    'requests\' namespace grants that requester alone `use` on it:',
    ...requests.map((r) => `- \`${issuancePolicyName(r.namespace, r.id)}\`: ${r.purpose}; requested by ` +
      `\`${r.requester.namespace}/${r.requester.serviceAccount}\` in \`${r.namespace}\`, at most ${goDuration(r.maxDurationMs)}.`),
    '',
    '1. Install approver-policy (Helm chart `jetstack/cert-manager-approver-policy`) and apply `manifests/`.',
    '2. Check that every policy is Ready: `kubectl get certificaterequestpolicies`.',
    `3. ${TURN_OFF_DEFAULT_APPROVER.join('\n   ')}`,
    'While the default approver runs it approves every request first, and these policies decide nothing.',
    'Wildcards in approver-policy span any characters, `/` included: the workload pattern bounds the trust domain and',
    'the shape; istio-csr itself binds each identity to the caller\'s token.',
  ];
}

const DEFAULT_APPROVER_NOTES = [
  '', '## Issuance policy: cert-manager\'s default approver', '',
  'cert-manager approves every CertificateRequest by default: whoever can create one in the issuer\'s namespace (the',
  '`cert-manager-edit` role, aggregated into `edit` and `admin`, grants it) can obtain any certificate the mesh issuer',
  'signs. To allow only what the mesh requests, use `IssuancePolicy.approverPolicy()`.',
];
