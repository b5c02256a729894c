/**
 * Vault policies as HCL text (https://developer.hashicorp.com/vault/docs/concepts/policies), least privilege:
 * cert-manager only needs `create`/`update` on the sign path it POSTs to (cm internal/vault/vault.go `Sign`).
 */

/** Capabilities cert-manager's Vault issuer needs on a sign path. */
export const SIGN_CAPABILITIES: readonly string[] = ['create', 'update'];

/** One path rule. */
export interface PolicyRule {
  readonly path: string;
  readonly capabilities: readonly string[];
  /**
   * The only values the request's `ttl` may take (Vault `allowed_parameters`, with `required_parameters = ["ttl"]`),
   * so the lifetime is bounded by Vault itself, not only by the Certificate that asks.
   */
  readonly allowedTtls?: readonly string[];
}

const quoted = (xs: readonly string[]) => `[${xs.map((x) => `"${x}"`).join(', ')}]`;

/**
 * Renders rules as HCL, in the given order; paths are exact (no globs). A TTL pin uses Vault's parameter
 * constraints (https://developer.hashicorp.com/vault/docs/concepts/policies#parameter-constraints): `"*" = []` keeps
 * every other parameter cert-manager sends allowed.
 */
export function renderPolicy(comment: string, rules: readonly PolicyRule[]): string {
  const body = rules.map((r) => {
    const ttl = r.allowedTtls
      ? `  required_parameters = ["ttl"]\n  allowed_parameters = {\n    "ttl" = ${quoted(r.allowedTtls)}\n    "*" = []\n  }\n`
      : '';
    return `path "${r.path}" {\n  capabilities = ${quoted(r.capabilities)}\n${ttl}}\n`;
  }).join('\n');
  return `# ${comment}\n${body}`;
}

/** Vault role and policy names: they become URL path segments (`auth/<mount>/role/<name>`, `sys/policies/acl/<name>`). */
export function vaultNameProblem(prop: string, value: string): string | undefined {
  if (typeof value === 'string' && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(value)) return undefined;
  return `'${prop}' (${value}) is not a Vault role or policy name; use 1-128 letters, digits, '_', '-' or '.', starting with a letter or digit`;
}

/** Vault mount and role path segments: letters, digits, '_' and '-', '/'-separated. */
const MOUNT_PATH = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;

/** Problem text for a Vault mount path, else undefined. */
export function mountPathProblem(prop: string, value: string): string | undefined {
  if (MOUNT_PATH.test(value)) return undefined;
  return `'${prop}' (${value}) is not a Vault mount path; use letters, digits, '_' and '-' in '/'-separated ` +
    "segments, without leading or trailing '/' (e.g. pki or pki_int)";
}

/** `https://<DNS name, IPv4 or [IPv6]>[:port][/]`: nothing else may be copied into issuers, providers and certificate URLs. */
const VAULT_ADDRESS = /^https:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?\/?$/;

/**
 * Problem text unless `value` is an https:// Vault address with a host and an optional port from 1 to 65535, and no
 * credentials, path, query or fragment (it is copied into the issuer, the provider and the issuing/CRL URLs that
 * Vault writes into every certificate), else undefined.
 */
export function vaultAddressProblem(prop: string, value: string): string | undefined {
  const m = typeof value === 'string' ? VAULT_ADDRESS.exec(value) : null;
  if (m && (m[2] === undefined || (Number(m[2]) >= 1 && Number(m[2]) <= 65535))) return undefined;
  return `'${prop}' (${value}) must be an https:// URL of the Vault server without a path, e.g. ` +
    'https://vault.example.com:8200: a host, an optional port from 1 to 65535, and no credentials, query or fragment ' +
    '(it is copied into every certificate\'s issuing and CRL URLs); plain http would send CSRs and tokens unencrypted';
}
