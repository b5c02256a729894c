/** The two forms of a Vault PKI sign path a cert-manager Vault issuer can use (docs/reference.md §4.3). */

/** What a Vault issuer path signs (docs/reference.md §4.3). */
export enum VaultSignPathKind {
  /** `<mount>/sign/<role>`: leaf certificates only (CA:FALSE). */
  LEAF = 'LEAF',
  /** `<mount>/root/sign-intermediate` or `<mount>/issuer/<ref>/sign-intermediate`: CA certificates. */
  INTERMEDIATE = 'INTERMEDIATE',
}

const LEAF_PATH = /^[A-Za-z0-9_\-]+(\/[A-Za-z0-9_\-]+)*\/sign\/[A-Za-z0-9_\-.]+$/;
const INTERMEDIATE_PATH = /^[A-Za-z0-9_\-]+(\/[A-Za-z0-9_\-]+)*\/(root|issuer\/[A-Za-z0-9_\-.]+)\/sign-intermediate$/;

/** The kind of a Vault sign path, or undefined when it is neither form. */
export function vaultSignPathKind(path: string): VaultSignPathKind | undefined {
  if (INTERMEDIATE_PATH.test(path)) return VaultSignPathKind.INTERMEDIATE;
  if (LEAF_PATH.test(path)) return VaultSignPathKind.LEAF;
  return undefined;
}

/** `<mount>/root/sign-intermediate`: where the root of `mount` signs intermediates. */
export function rootSignIntermediatePath(mount: string): string {
  return `${mount}/root/sign-intermediate`;
}

/** `<mount>/sign/<role>`: where `role` of `mount` signs leaves. */
export function roleSignPath(mount: string, role: string): string {
  return `${mount}/sign/${role}`;
}
