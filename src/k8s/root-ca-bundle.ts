import { check, fail } from '../model/errors';
import { dataKeyProblem, objectNameProblem } from '../model/k8s-names';
import { istioCaRootCertNameProblem } from '../model/istio-policy-rules';
import { normalisePem, parseCaBundle } from '../model/pem';

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
    return new RootCaBundle(RootCaBundleType.CONFIG_MAP, options.name, options.key ?? 'ca.pem', []);
  }

  /** An existing Secret in istio-csr's namespace. */
  public static fromSecret(options: ExistingRootCaOptions): RootCaBundle {
    RootCaBundle.checkName(options.name);
    if (options.key !== undefined) check('RootCaBundle', dataKeyProblem('key', options.key));
    return new RootCaBundle(RootCaBundleType.SECRET, options.name, options.key ?? 'ca.crt', []);
  }

  /** A trust-manager `Bundle` that assembles the roots into a ConfigMap in istio-csr's namespace. */
  public static trustManager(options: TrustManagerRootCaOptions): RootCaBundle {
    RootCaBundle.checkName(options.name);
    if (options.sources.length === 0) fail('RootCaBundle', "'sources' ([]) is empty; give at least one root source");
    return new RootCaBundle(RootCaBundleType.TRUST_MANAGER, options.name, 'ca.pem', options.sources);
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
  ) {}
}
