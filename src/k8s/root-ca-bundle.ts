import { Construct } from 'constructs';
import { Bundle, BundleSpecSources } from '../imports/trust-manager-trust.cert-manager.io';
import { check, fail } from '../model/errors';
import { dataKeyProblem, objectNameProblem } from '../model/k8s-names';
import { istioCaRootCertNameProblem } from '../model/istio-policy-rules';
import { normalisePem, parseCaBundle } from '../model/pem';
import { makeClusterScoped, MANAGED_BY } from './_scope';

/** What a root bundle is read from. */
export enum RootCaBundleType {
  CONFIG_MAP = 'CONFIG_MAP',
  SECRET = 'SECRET',
  TRUST_MANAGER = 'TRUST_MANAGER',
}

/** A source of PEM roots for a trust-manager Bundle (in trust-manager's trust namespace). */
export class TrustSource {
  /** A key of a Secret in the trust namespace, e.g. the `ca.crt` of a root Certificate's Secret. */
  public static secret(name: string, key = 'ca.crt'): TrustSource {
    check('TrustSource', objectNameProblem('name', name));
    check('TrustSource', dataKeyProblem('key', key));
    return new TrustSource({ secret: { name, key } });
  }

  /** A key of a ConfigMap in the trust namespace. */
  public static configMap(name: string, key = 'ca.pem'): TrustSource {
    check('TrustSource', objectNameProblem('name', name));
    check('TrustSource', dataKeyProblem('key', key));
    return new TrustSource({ configMap: { name, key } });
  }

  /** Inline PEM roots (public certificates only; each must be a CA). */
  public static inline(pem: string): TrustSource {
    const { problem } = parseCaBundle('pem', pem);
    check('TrustSource', problem);
    return new TrustSource({ inLine: normalisePem(pem) });
  }

  private constructor(
    /** The Bundle `spec.sources[]` entry. */
    public readonly source: Readonly<Record<string, unknown>>,
  ) {}
}

/** Options of `RootCaBundle.fromConfigMap()` / `fromSecret()`. */
export interface ExistingRootCaOptions {
  /** Object name, in istio-csr's namespace. */
  readonly name: string;
  /**
   * Key holding the PEM roots.
   * @default 'ca.pem' for a ConfigMap, 'ca.crt' for a Secret
   */
  readonly key?: string;
}

/** Options of `RootCaBundle.trustManager()`. */
export interface TrustManagerRootCaOptions {
  /** Name of the trust-manager Bundle, and of the ConfigMap it writes. Never `istio-ca-root-cert`. */
  readonly name: string;
  /** Where the roots come from; several sources make an A+B bundle for root rotation. */
  readonly sources: TrustSource[];
}

/**
 * The root bundle istio-csr pins (`app.tls.rootCAFile`), mounted into its pod. Enum-like: use a static factory.
 * Never the `istio-ca-root-cert` ConfigMap, which istiod or istio-csr own and rewrite (docs/reference.md §6.4, §6.5).
 */
export class RootCaBundle {
  /** An existing ConfigMap in istio-csr's namespace. */
  public static fromConfigMap(options: ExistingRootCaOptions): RootCaBundle {
    RootCaBundle.checkName(options.name);
    if (options.key !== undefined) check('RootCaBundle', dataKeyProblem('key', options.key));
    const key = options.key ?? 'ca.pem';
    return new RootCaBundle(RootCaBundleType.CONFIG_MAP, options.name, key, [], { configMap: { name: options.name, items: [{ key, path: key }] } });
  }

  /** An existing Secret in istio-csr's namespace. */
  public static fromSecret(options: ExistingRootCaOptions): RootCaBundle {
    RootCaBundle.checkName(options.name);
    if (options.key !== undefined) check('RootCaBundle', dataKeyProblem('key', options.key));
    const key = options.key ?? 'ca.crt';
    return new RootCaBundle(RootCaBundleType.SECRET, options.name, key, [], { secret: { secretName: options.name, items: [{ key, path: key }] } });
  }

  /** A trust-manager `Bundle` that assembles the roots into a ConfigMap in istio-csr's namespace. */
  public static trustManager(options: TrustManagerRootCaOptions): RootCaBundle {
    RootCaBundle.checkName(options.name);
    if (options.sources.length === 0) fail('RootCaBundle', "'sources' ([]) is empty; give at least one root source");
    const key = 'ca.pem';
    return new RootCaBundle(RootCaBundleType.TRUST_MANAGER, options.name, key, options.sources,
      { configMap: { name: options.name, items: [{ key, path: key }] } },
      (scope, namespace) => {
        // trust-manager writes the ConfigMap into the namespaces selected here: only istio-csr's.
        const b = new Bundle(scope, 'RootCaBundle', {
          metadata: { name: options.name, labels: MANAGED_BY },
          spec: {
            sources: options.sources.map((s) => s.source as BundleSpecSources),
            target: { configMap: { key }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } },
          },
        });
        makeClusterScoped(b);
      });
  }

  private static checkName(name: string): void {
    check('RootCaBundle', objectNameProblem('name', name));
    check('RootCaBundle', istioCaRootCertNameProblem('name', name));
  }

  private constructor(
    /** Which factory made this bundle. */
    public readonly type: RootCaBundleType,
    /** ConfigMap or Secret name. */
    public readonly name: string,
    /** Key with the PEM roots. */
    public readonly key: string,
    /** trust-manager sources. */
    public readonly sources: TrustSource[],
    /** The pod volume that mounts the bundle's key. */
    private readonly volume: Readonly<Record<string, unknown>>,
    /** Objects the bundle needs (a trust-manager Bundle), given istio-csr's namespace. */
    private readonly render: (scope: Construct, namespace: string) => void = () => undefined,
  ) {}

  /** @internal The volume for istio-csr's pod. */
  public _volume(): Readonly<Record<string, unknown>> {
    return this.volume;
  }

  /** @internal Adds the objects the bundle needs, for istio-csr in `namespace`. */
  public _render(scope: Construct, namespace: string): void {
    this.render(scope, namespace);
  }
}
