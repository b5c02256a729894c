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

/** Vault mount and role path segments: letters, digits, '_' and '-', '/'-separated. */
const MOUNT_PATH = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;

/** Problem text for a Vault mount path, else undefined. */
export function mountPathProblem(prop: string, value: string): string | undefined {
  if (MOUNT_PATH.test(value)) return undefined;
  return `'${prop}' (${value}) is not a Vault mount path; use letters, digits, '_' and '-' in '/'-separated ` +
    "segments, without leading or trailing '/' (e.g. pki or pki_int)";
}

/** Problem text unless `value` is an https:// Vault address without a path, else undefined. */
export function vaultAddressProblem(prop: string, value: string): string | undefined {
  if (/^https:\/\/[^\s/]+(:\d+)?\/?$/.test(value)) return undefined;
  return `'${prop}' (${value}) must be an https:// URL of the Vault server without a path, e.g. ` +
    'https://vault.example.com:8200; plain http would send CSRs and tokens unencrypted';
}
