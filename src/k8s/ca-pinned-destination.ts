import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import {
  DestinationRule, DestinationRuleSpec, DestinationRuleSpecTrafficPolicyTlsMode, DestinationRuleV1Beta1, DestinationRuleV1Beta1Spec,
} from '../imports/istio-networking-networking.istio.io';
import { check, deepTokenProblem, fail, withPath } from '../model/errors';
import { DEFAULT_TRUST_DOMAIN, spiffeId, trustDomainProblem } from '../model/identity';
import { DEFAULT_ISTIO_VERSION, holds, istioVersionProblem } from '../model/istio-version';
import { labelProblem, meshHostProblem, namespaceProblem, objectNameProblem } from '../model/k8s-names';
import { istioMutualCaCertificatesProblem } from '../model/istio-policy-rules';
import { MANAGED_BY } from './_scope';
import { agreesWithMeshLater, meshValue } from './mesh-context';

const NAME = 'CaPinnedDestination';

/** A mesh workload identity: its namespace and ServiceAccount. */
export interface ServiceAccountIdentity {
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** Options of `DestinationTrust.meshPeers()`. */
export interface MeshPeersOptions {
  /** The identities allowed to serve the host. */
  readonly peers: ServiceAccountIdentity[];
  /**
   * Trust domain of the SPIFFE IDs.
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * Not allowed: with ISTIO_MUTUAL the CA is always the mesh trust bundle. Setting it throws with an explanation.
   * @default - none
   */
  readonly caCertificates?: string;
}

/** Options of `DestinationTrust.externalCaCredential()`. */
export interface ExternalCaCredentialOptions {
  /** Secret (in the DestinationRule's namespace for sidecars) with `tls.key`/`tls.crt`/`ca.crt` or `key`/`cert`/`cacert`. */
  readonly credentialName: string;
  /**
   * Names the upstream's certificate must carry.
   * @default - none
   */
  readonly subjectAltNames?: string[];
  /**
   * SNI to send.
   * @default - none
   */
  readonly sni?: string;
}

/** Options of `DestinationTrust.externalCaFiles()`. */
export interface ExternalCaFilesOptions {
  /** Path inside the proxy of the upstream CA bundle. */
  readonly caCertificates: string;
  /** Path inside the proxy of the client certificate. */
  readonly clientCertificate: string;
  /** Path inside the proxy of the client key. */
  readonly privateKey: string;
  /**
   * Names the upstream's certificate must carry.
   * @default - none
   */
  readonly subjectAltNames?: string[];
  /**
   * SNI to send.
   * @default - none
   */
  readonly sni?: string;
}

/** How the destination's certificate is trusted. Enum-like: use a static factory (docs/reference.md §8.3). */
export class DestinationTrust {
  /**
   * In-mesh peers: `ISTIO_MUTUAL` with `subjectAltNames` built from SPIFFE IDs; the CA is the mesh trust bundle.
   */
  public static meshPeers(options: MeshPeersOptions): DestinationTrust {
    check(NAME, istioMutualCaCertificatesProblem(options.caCertificates));
    if (options.trustDomain !== undefined) check(NAME, trustDomainProblem('trustDomain', options.trustDomain));
    if (options.peers.length === 0) fail(NAME, "'peers' ([]) is empty; name at least one namespace and ServiceAccount");
    for (const p of options.peers) {
      check(NAME, namespaceProblem('peers.namespace', p.namespace));
      check(NAME, objectNameProblem('peers.serviceAccount', p.serviceAccount));
    }
    // The SPIFFE IDs need the trust domain: the given one, else the mesh's, resolved when the DestinationRule is built.
    const peers = options.peers.map((p) => ({ ...p }));
    return new DestinationTrust(DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL, {}, false,
      { trustDomain: options.trustDomain, sans: (td) => peers.map((p) => spiffeId(td, p.namespace, p.serviceAccount)) });
  }

  /** A non-mesh upstream with its own CA, through a Secret (`credentialName`): gateways, or sidecars with a workloadSelector. */
  public static externalCaCredential(options: ExternalCaCredentialOptions): DestinationTrust {
    check(NAME, objectNameProblem('credentialName', options.credentialName));
    return new DestinationTrust(DestinationRuleSpecTrafficPolicyTlsMode.MUTUAL,
      { credentialName: options.credentialName, subjectAltNames: options.subjectAltNames, sni: options.sni }, true);
  }

  /** A non-mesh upstream with its own CA, through files mounted into the proxy. */
  public static externalCaFiles(options: ExternalCaFilesOptions): DestinationTrust {
    for (const [k, v] of Object.entries({ caCertificates: options.caCertificates, clientCertificate: options.clientCertificate, privateKey: options.privateKey })) {
      if (!v.startsWith('/')) fail(NAME, `'${k}' (${v}) must be an absolute file path inside the proxy, e.g. /etc/certs/${k}.pem`);
    }
    return new DestinationTrust(DestinationRuleSpecTrafficPolicyTlsMode.MUTUAL, {
      caCertificates: options.caCertificates, clientCertificate: options.clientCertificate, privateKey: options.privateKey,
      subjectAltNames: options.subjectAltNames, sni: options.sni,
    }, false);
  }

  private constructor(
    /** TLS mode. */
    public readonly mode: DestinationRuleSpecTrafficPolicyTlsMode,
    /** The other `tls` fields. */
    public readonly tls: Readonly<Record<string, unknown>>,
    /** Whether it uses credentialName (sidecars then need a workloadSelector). */
    public readonly usesCredentialName: boolean,
    /** Mesh peers: the explicit trust domain, and the SANs for a trust domain. */
    private readonly meshPeers?: { readonly trustDomain?: string; readonly sans: (trustDomain: string) => string[] },
  ) {}

  /** The trust domain given to `meshPeers()`, if any. @internal */
  public get _trustDomain(): string | undefined {
    return this.meshPeers?.trustDomain;
  }

  /** The `tls` fields for a mesh of `trustDomain`. @internal */
  public _tlsFor(trustDomain: string): Record<string, unknown> {
    return this.meshPeers ? { ...this.tls, subjectAltNames: this.meshPeers.sans(trustDomain) } : { ...this.tls };
  }

  /** Whether the trust depends on the mesh's trust domain. @internal */
  public get _usesTrustDomain(): boolean {
    return this.meshPeers !== undefined;
  }
}

/** Props of `CaPinnedDestination`. */
export interface CaPinnedDestinationProps {
  /** The destination host (service name or FQDN). */
  readonly host: string;
  /** Namespace of the DestinationRule. */
  readonly namespace: string;
  /** How the destination's certificate is trusted. */
  readonly trust: DestinationTrust;
  /**
   * Name of the DestinationRule.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Sidecars the rule applies to (`workloadSelector`); required with a credentialName at sidecars.
   * @default - every workload that reaches the host
   */
  readonly workloadSelector?: Record<string, string>;
  /**
   * The rule is for gateways (credentialName works there without a workloadSelector).
   * @default false
   */
  readonly forGateway?: boolean;
  /**
   * Istio version targeted: `networking.istio.io/v1` from 1.22, `v1beta1` before.
   * @default '1.30'
   */
  readonly istioVersion?: string;
}

/**
 * A DestinationRule that pins trust correctly (docs/reference.md §8.3): in-mesh peers by SPIFFE ID under
 * ISTIO_MUTUAL, a foreign CA with MUTUAL. ISTIO_MUTUAL with caCertificates is refused, because Istio ignores it.
 *
 * The DestinationRule is child 'Resource' (`node.defaultChild`).
 */
export class CaPinnedDestination extends Construct {
  /** The DestinationRule. */
  public readonly resource: ApiObject;

  public constructor(scope: Construct, id: string, props: CaPinnedDestinationProps) {
    super(scope, id);
    try {
      // No cdktf token may reach a manifest through any string prop (Issue 11).
      check(NAME, deepTokenProblem(props));
      const resolved = meshValue(this, 'istioVersion', props.istioVersion, DEFAULT_ISTIO_VERSION);
      check(NAME, resolved.problem);
      const version = resolved.value;
      if (props.istioVersion === undefined) agreesWithMeshLater(this, NAME, 'istioVersion', version);
      const td = meshValue(this, 'trustDomain', props.trust._trustDomain, DEFAULT_TRUST_DOMAIN);
      check(NAME, td.problem);
      const trustDomain = td.value;
      if (props.trust._usesTrustDomain && props.trust._trustDomain === undefined) agreesWithMeshLater(this, NAME, 'trustDomain', trustDomain);
      check(NAME, istioVersionProblem('istioVersion', version));
      check(NAME, namespaceProblem('namespace', props.namespace));
      const name = props.name ?? id;
      check(NAME, objectNameProblem('name', name));
      check(NAME, meshHostProblem('host', props.host));
      for (const [k, v] of Object.entries(props.workloadSelector ?? {})) check(NAME, labelProblem('workloadSelector', k, v));
      if (props.trust.usesCredentialName && !props.forGateway && props.workloadSelector === undefined) {
        fail(NAME, "'workloadSelector' (undefined) is required with a credentialName at sidecars: Istio reads the Secret for sidecars " +
          "only when the DestinationRule selects workloads (docs/reference.md §8.3); set workloadSelector, or forGateway: true");
      }
      const spec: DestinationRuleSpec = {
        host: props.host,
        workloadSelector: props.workloadSelector ? { matchLabels: { ...props.workloadSelector } } : undefined,
        trafficPolicy: { tls: { mode: props.trust.mode, ...props.trust._tlsFor(trustDomain) } },
      };
      const metadata = { name, namespace: props.namespace, labels: MANAGED_BY };
      this.resource = holds('V1_APIS', version)
        ? new DestinationRule(this, 'Resource', { metadata, spec })
        // v1beta1 has the same schema as v1 (docs/reference.md §8.1); only the generated enum types differ.
        : new DestinationRuleV1Beta1(this, 'Resource', { metadata, spec: spec as unknown as DestinationRuleV1Beta1Spec });
    } catch (e) {
      throw withPath(e, NAME, this.node.path);
    }
  }
}
