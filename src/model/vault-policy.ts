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
}

/** Renders rules as HCL, in the given order; paths are exact (no globs). */
export function renderPolicy(comment: string, rules: readonly PolicyRule[]): string {
  const body = rules.map((r) =>
    `path "${r.path}" {\n  capabilities = [${r.capabilities.map((c) => `"${c}"`).join(', ')}]\n}\n`).join('\n');
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
