/**
 * Whether what Vault will sign agrees with what the mesh requests (the values an approver-policy
 * CertificateRequestPolicy allows, `IssuanceRequest`). Pure: the Vault side arrives as plain limits.
 */
import { goDuration } from './durations';
import { IssuanceRequest } from './issuance-policy';

/** What Vault enforces at one sign path. */
export interface VaultSignLimits {
  /** The path and what sets its limits, for messages (`role istio-workload at pki_int/sign/istio-workload`). */
  readonly where: string;
  /** The prop that sets the lifetime cap, for the fix (`'leafMaxTtl'`). */
  readonly capProp: string;
  /** Longest lifetime Vault signs here (role `max_ttl`, or the pinned intermediate ttl). */
  readonly maxTtlMs?: number;
  /** Whether the path signs CA certificates (`root/sign-intermediate`) or leaves only (`sign/<role>`). */
  readonly signsCa: boolean;
  /** Role `allowed_uri_sans` globs (`*` spans any characters, `/` too: Vault sdk strutil.StrListContainsGlob); undefined = unchecked. */
  readonly allowedUriSans?: readonly string[];
  /** Role `allowed_domains` with `allow_subdomains` and no bare domains; undefined = unchecked. */
  readonly allowedSubdomainsOf?: readonly string[];
}

function globRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/**
 * True when every string `pattern` may stand for (its `*` standing for any characters, as in approver-policy) matches
 * one of the globs. Matching the pattern's text against a glob is exact for this: a glob has no literal `*`, so each `*`
 * of the pattern falls inside a `*` of the glob, and any text put in its place still matches.
 */
export function globsCover(globs: readonly string[], pattern: string): boolean {
  return globs.some((g) => globRegExp(g).test(pattern));
}

/** Every way one request exceeds what Vault signs at `limits`, or an empty list. */
export function vaultIssuanceProblems(r: IssuanceRequest, limits: VaultSignLimits): string[] {
  const what = `issuance request '${r.id}' (${r.purpose})`;
  const problems: string[] = [];
  if (r.isCa !== limits.signsCa) {
    problems.push(r.isCa
      ? `${what} is for a CA certificate, but ${limits.where} signs leaves only; sign intermediates at the root's sign-intermediate path`
      : `${what} is for a leaf, but ${limits.where} signs CA certificates; point the issuer at a leaf role`);
  }
  if (limits.maxTtlMs !== undefined && r.maxDurationMs > limits.maxTtlMs) {
    problems.push(`${what} may last up to ${goDuration(r.maxDurationMs)} (the policy's maxDuration), but ${limits.where} signs at most ` +
      `${goDuration(limits.maxTtlMs)} (${limits.capProp}) and caps longer requests silently; raise ${limits.capProp} to at least ` +
      `${goDuration(r.maxDurationMs)} or shorten the request`);
  }
  const uncovered = (r.uris ?? []).filter((u) => limits.allowedUriSans !== undefined && !globsCover(limits.allowedUriSans, u));
  if (uncovered.length) {
    problems.push(`${what} asks for URI SANs ${uncovered.join(', ')}, which ${limits.where} does not allow (allowed_uri_sans ` +
      `${limits.allowedUriSans!.join(', ')}); Vault would refuse them; give the role and the mesh the same trust domain`);
  }
  const domains = limits.allowedSubdomainsOf;
  const names = [...(r.commonName !== undefined ? [r.commonName] : []), ...(r.dnsNames ?? [])];
  const outside = [...new Set(names)].filter((n) => domains !== undefined && !domains.some((d) => n.endsWith(`.${d}`)));
  if (outside.length) {
    problems.push(`${what} asks for DNS names ${outside.join(', ')}, which ${limits.where} does not allow (subdomains of ` +
      `${domains!.join(', ')}); Vault would refuse them; add their domain to the role's allowed domains`);
  }
  return problems;
}
