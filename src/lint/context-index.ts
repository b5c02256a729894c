/**
 * What the cross-file rules of one context (documents that deploy together) need, kept while files stream past:
 * install config, istio-csr values, Certificates, issuers by name, agent env carriers and Terraform resources.
 * Lookups are map hits, so the rules stay linear in the number of documents.
 */
import { CERT_MANAGER_GROUP, TRUST_MANAGER_GROUP } from '../model/cert-manager';
import { DocKind, isObject, LintDocument } from './lint-document';

/** Kubernetes kind of a document within a group (group undefined: any). */
export function isKind(doc: LintDocument, kind: string, group?: string): boolean {
  return doc.kind === DocKind.MANIFEST && doc.data.kind === kind && (group === undefined || String(doc.data.apiVersion).startsWith(`${group}/`));
}

/** A Terraform resource body by `<type>.<name>`, either JSON form (object per block, or hcl2json's array per block). */
export type TerraformResources = Map<string, { doc: LintDocument; type: string; name: string; body: Record<string, any> }>;

/** Adds the resources of a Terraform JSON document to `into`. */
export function terraformResources(doc: LintDocument, into: TerraformResources): void {
  const blocks = Array.isArray(doc.data.resource) ? doc.data.resource : [doc.data.resource];
  for (const block of blocks) {
    if (!isObject(block)) continue;
    for (const [type, byName] of Object.entries(block)) {
      for (const [name, raw] of Object.entries(isObject(byName) ? byName : {})) {
        const body = Array.isArray(raw) ? raw[0] : raw;
        if (isObject(body)) into.set(`${type}.${name}`, { doc, type, name, body });
      }
    }
  }
}

/** The documents of one context that cross-file rules read. */
export class ContextIndex {
  public readonly install: LintDocument[] = [];
  public readonly istioCsrValues: LintDocument[] = [];
  public readonly certificates: LintDocument[] = [];
  /** trust-manager Bundles (istio-csr's pinned root bundle). */
  public readonly bundles: LintDocument[] = [];
  /** Documents that carry istio-agent env (proxyMetadata, ProxyConfig, the proxy.istio.io/config annotation). */
  public readonly agentEnvDocs: LintDocument[] = [];
  public readonly terraform: TerraformResources = new Map();
  private readonly issuers = new Map<string, LintDocument>();

  /**
   * @param name the context (a folder, a kustomization, or a declared context)
   * @param namespace the namespace kustomize gives objects without one, when the context is a kustomization that sets it
   * @param keep what to store of a kept document (by default itself; `lintPaths` drops its syntax tree)
   */
  public constructor(public readonly name: string, public readonly namespace?: string,
    private readonly keep: (doc: LintDocument) => LintDocument = (d) => d) {}

  /** The namespace of an object: its own, the kustomization's, or undefined when only the apply decides. */
  public namespaceOf(doc: LintDocument): string | undefined {
    const ns = doc.data?.metadata?.namespace;
    return typeof ns === 'string' ? ns : this.namespace;
  }

  /** Keeps `doc` when a cross-file rule reads it. */
  public add(d: LintDocument): void {
    let kept: LintDocument | undefined;
    const doc = () => (kept ??= this.keep(d)); // only a document some branch stores is kept (and detached)
    if (d.kind === DocKind.ISTIO_OPERATOR || d.kind === DocKind.ISTIOD_VALUES) this.install.push(doc());
    if (d.kind === DocKind.ISTIO_OPERATOR || d.kind === DocKind.ISTIOD_VALUES || d.kind === DocKind.PROXY_CONFIG || isKind(d, 'ProxyConfig')) {
      this.agentEnvDocs.push(doc());
    }
    if (d.kind === DocKind.ISTIO_CSR_VALUES) this.istioCsrValues.push(doc());
    if (d.kind === DocKind.TERRAFORM) terraformResources(doc(), this.terraform);
    if (isKind(d, 'Certificate', CERT_MANAGER_GROUP)) this.certificates.push(doc());
    if (isKind(d, 'Bundle', TRUST_MANAGER_GROUP)) this.bundles.push(doc());
    if (isKind(d, 'Issuer', CERT_MANAGER_GROUP) || isKind(d, 'ClusterIssuer', CERT_MANAGER_GROUP)) {
      const cluster = d.data.kind === 'ClusterIssuer';
      this.issuers.set(this.issuerKey(d.data.kind, cluster ? undefined : this.namespaceOf(d), String(d.data.metadata?.name)), doc());
    }
  }

  private issuerKey(kind: string, namespace: string | undefined, name: string): string {
    return `${kind}|${namespace ?? '?'}|${name}`;
  }

  /** The issuer a Certificate refers to, in this context. */
  public issuerOf(cert: LintDocument): LintDocument | undefined {
    const ref = cert.data.spec?.issuerRef ?? {};
    const kind = String(ref.kind ?? 'Issuer');
    const ns = kind === 'ClusterIssuer' ? undefined : this.namespaceOf(cert);
    return this.issuers.get(this.issuerKey(kind, ns, String(ref.name)));
  }

  /** `${vault_mount.x.path}` → the mount's literal path, when this context's Terraform holds it. */
  public terraformValue(value: unknown, depth = 0): unknown {
    const m = typeof value === 'string' ? /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}$/.exec(value) : null;
    if (!m || depth > 8) return value;
    const v = this.terraform.get(`${m[1]}.${m[2]}`)?.body[m[3]];
    return v === undefined ? value : this.terraformValue(v, depth + 1);
  }
}
