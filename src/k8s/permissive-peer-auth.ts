import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import {
  PeerAuthentication, PeerAuthenticationSpec, PeerAuthenticationSpecMtlsMode, PeerAuthenticationSpecPortLevelMtlsMode,
  PeerAuthenticationV1Beta1, PeerAuthenticationV1Beta1Spec,
} from '../imports/istio-security-security.istio.io';
import { check, deepTokenProblem, fail, withPath } from '../model/errors';
import { DEFAULT_ISTIO_VERSION, holds, istioVersionProblem } from '../model/istio-version';
import { ISTIO_DEFAULTS } from '../model/istio-settings';
import { labelProblem, namespaceProblem, objectNameProblem } from '../model/k8s-names';
import { rootNamespaceSelectorProblem } from '../model/istio-policy-rules';
import { MANAGED_BY } from './_scope';
import { agreesWithMeshLater, meshValue } from './mesh-context';

const NAME = 'PermissivePeerAuth';

/** Annotation that keeps the reason for a PERMISSIVE fallback next to the policy. */
export const REASON_ANNOTATION = 'istio-custom-ca.io/reason';
/** Longest reason kept as annotation (well under Kubernetes' 256 KiB for all annotations of an object). */
const MAX_REASON_BYTES = 4096;

/** mTLS modes a port can be given (docs/reference.md §8.2). */
export enum PeerAuthMode {
  STRICT = 'STRICT',
  PERMISSIVE = 'PERMISSIVE',
  DISABLE = 'DISABLE',
}

/** mTLS mode of one workload port. */
export interface PortMtls {
  /** The container port (not the Service port). */
  readonly port: number;
  /** Mode on that port. */
  readonly mode: PeerAuthMode;
}

/** Props of `PermissivePeerAuth`. Choose exactly one scope: `selector`, `namespaceWide` or `meshWide`. */
export interface PermissivePeerAuthProps {
  /**
   * Namespace of the policy (the workload's namespace). Not needed with `meshWide`.
   * @default - the root namespace, with meshWide only
   */
  readonly namespace?: string;
  /**
   * Workloads the policy applies to (`spec.selector.matchLabels`).
   * @default - none; then namespaceWide or meshWide must be set
   */
  readonly selector?: Record<string, string>;
  /**
   * Explicit opt-in: PERMISSIVE for every workload of `namespace` (no selector).
   * @default false
   */
  readonly namespaceWide?: boolean;
  /**
   * Explicit opt-in: PERMISSIVE for the whole mesh (root namespace, no selector).
   * @default false
   */
  readonly meshWide?: boolean;
  /**
   * The mesh root namespace (`meshConfig.rootNamespace`).
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
  /**
   * Per-port modes; needs a selector (CRD rule).
   * @default - none
   */
  readonly portLevelMtls?: PortMtls[];
  /**
   * Why this fallback exists, kept as annotation `istio-custom-ca.io/reason`.
   * @default - no annotation
   */
  readonly reason?: string;
  /**
   * Policy name.
   * @default - 'default' for namespace- and mesh-wide policies (Istio convention), else the construct id
   */
  readonly name?: string;
  /**
   * Istio version targeted: `security.istio.io/v1` from 1.22, `v1beta1` before.
   * @default '1.30'
   */
  readonly istioVersion?: string;
}

/**
 * A PERMISSIVE PeerAuthentication: accept plaintext and mTLS, as a scoped and documented fallback.
 * Never mesh-wide unless `meshWide` is set; never a selector in the root namespace (docs/reference.md §8.2).
 *
 * The PeerAuthentication is child 'Resource' (`node.defaultChild`).
 */
export class PermissivePeerAuth extends Construct {
  /** Namespace of the policy. */
  public readonly namespace: string;
  /** Name of the policy. */
  public readonly name: string;
  /** The PeerAuthentication. */
  public readonly resource: ApiObject;

  public constructor(scope: Construct, id: string, props: PermissivePeerAuthProps) {
    super(scope, id);
    try {
      // No cdktf token may reach a manifest through any string prop (Issue 11).
      check(NAME, deepTokenProblem(props));
      // Kubernetes caps all annotations of an object at 256 KiB (apimachinery TotalAnnotationSizeLimitB); a reason is a sentence.
      if (props.reason !== undefined && Buffer.byteLength(props.reason) > MAX_REASON_BYTES) {
        fail(NAME, `'reason' (${props.reason.slice(0, 40)}…, ${Buffer.byteLength(props.reason)} bytes) is too long for an annotation; keep it under ` +
          `${MAX_REASON_BYTES} bytes and link a ticket for the details`);
      }
      const root = props.rootNamespace ?? ISTIO_DEFAULTS.rootNamespace;
      const resolved = meshValue(this, 'istioVersion', props.istioVersion, DEFAULT_ISTIO_VERSION);
      check(NAME, resolved.problem);
      const version = resolved.value;
      if (props.istioVersion === undefined) agreesWithMeshLater(this, NAME, 'istioVersion', version);
      check(NAME, namespaceProblem('rootNamespace', root));
      check(NAME, istioVersionProblem('istioVersion', version));
      const hasSelector = props.selector !== undefined;
      const scopes = [hasSelector && 'selector', props.namespaceWide && 'namespaceWide', props.meshWide && 'meshWide'].filter(Boolean);
      if (scopes.length === 0) {
        fail(NAME, "no scope given: set 'selector' (one workload), or opt in explicitly with 'namespaceWide: true' or " +
          "'meshWide: true'; a PERMISSIVE policy is never widened by default");
      }
      if (scopes.length > 1) {
        fail(NAME, `'${scopes.join("' and '")}' are all set; choose exactly one scope`);
      }

      this.namespace = policyNamespace(props, root, scopes[0] as string);
      const selector = props.selector;
      const ports = portLevelModes(props);

      this.name = props.name ?? (selector === undefined ? 'default' : id);
      check(NAME, objectNameProblem('name', this.name));

      const spec: PeerAuthenticationSpec = {
        selector: selector ? { matchLabels: { ...selector } } : undefined,
        mtls: { mode: PeerAuthenticationSpecMtlsMode.PERMISSIVE },
        portLevelMtls: ports.length
          ? Object.fromEntries(ports.map((p) => [String(p.port), { mode: p.mode as string as PeerAuthenticationSpecPortLevelMtlsMode }]))
          : undefined,
      };
      const metadata = {
        name: this.name,
        namespace: this.namespace,
        labels: MANAGED_BY,
        annotations: props.reason ? { [REASON_ANNOTATION]: props.reason } : undefined,
      };
      this.resource = holds('V1_APIS', version)
        ? new PeerAuthentication(this, 'Resource', { metadata, spec })
              // v1beta1 has the same schema as v1 (docs/reference.md §8.1); only the generated enum types differ.
        : new PeerAuthenticationV1Beta1(this, 'Resource', { metadata, spec: spec as unknown as PeerAuthenticationV1Beta1Spec });
    } catch (e) {
      throw withPath(e, NAME, this.node.path);
    }
  }
}

/** Where the policy lives: the root namespace for a mesh-wide one, else the given namespace (never the root). */
function policyNamespace(props: PermissivePeerAuthProps, root: string, scope: string): string {
  if (props.meshWide) {
    if (props.namespace !== undefined && props.namespace !== root) {
      fail(NAME, `'namespace' (${props.namespace}) must be the root namespace (${root}) or unset with 'meshWide'; ` +
        "a mesh-wide policy lives in the root namespace; use 'namespaceWide' for one namespace");
    }
    return root;
  }
  if (props.namespace === undefined) {
    return fail(NAME, `'namespace' (undefined) is required with '${scope}'; set the workload's namespace`);
  }
  check(NAME, namespaceProblem('namespace', props.namespace));
  if (props.namespace === root) {
    if (props.namespaceWide) {
      fail(NAME, `'namespace' (${props.namespace}) is the root namespace, where a policy without selector is mesh-wide; ` +
        "set 'meshWide: true' if that is intended, or choose another namespace");
    }
    check(NAME, rootNamespaceSelectorProblem(props.namespace, root));
  }
  return props.namespace;
}

/** The selector's labels and the port-level modes, checked: ports need a selector and appear once each. */
function portLevelModes(props: PermissivePeerAuthProps): PortMtls[] {
  const selector = props.selector;
  if (selector !== undefined) {
    if (Object.keys(selector).length === 0) {
      fail(NAME, "'selector' ({}) is empty, which would select every workload; give matchLabels, or use 'namespaceWide: true'");
    }
    for (const [k, v] of Object.entries(selector)) check(NAME, labelProblem('selector', k, v));
  }
  const ports = props.portLevelMtls ?? [];
  if (ports.length > 0 && selector === undefined) {
    fail(NAME, `'portLevelMtls' (${ports.map((p) => p.port).join(', ')}) needs a 'selector'; Istio only applies ` +
      'port-level modes to selected workloads (PeerAuthentication CRD rule)');
  }
  const seen = new Set<number>();
  for (const p of ports) {
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) {
      fail(NAME, `'portLevelMtls' port (${p.port}) must be a whole number from 1 to 65535 (the container port)`);
    }
    if (seen.has(p.port)) fail(NAME, `'portLevelMtls' port (${p.port}) is listed twice; give each port once`);
    seen.add(p.port);
  }
  return ports;
}
