/**
 * The library's default CA lifetimes and names, each defined once. Consumers import these; docs write the same values
 * in `@default` tags (checked by the API docs, which are generated from the source).
 */

const HOUR_MS = 3_600_000;

export const PKI_DEFAULTS = {
  /**
   * Roots: ten years, as Istio's own CA tooling (ROOTCA_DAYS ?= 3650,
   * https://github.com/istio/istio/blob/1.30.3/tools/certs/common.mk).
   */
  rootTtlMs: 87600 * HOUR_MS,
  /**
   * The Istio intermediate (`cacerts`): one year, half Istio's tooling default (INTERMEDIATE_DAYS ?= 730, same file), so
   * that a compromised intermediate lives at most a year; renewed 90 days ahead, leaving a quarter for a failed renewal.
   */
  intermediateDurationMs: 8760 * HOUR_MS,
  intermediateRenewBeforeMs: 2160 * HOUR_MS,
  /** Common name of the cert-manager-issued intermediate. */
  intermediateCommonName: 'istio-intermediate-ca',
  /** A fleet cluster's intermediate: this, then the cluster name, so that a chain shows which cluster signed it. */
  fleetIntermediateCommonNamePrefix: 'Istio intermediate CA',
  /** Vault route 2: the issuing intermediate mount, five years under a ten-year root. */
  vaultIntermediateTtlMs: 43800 * HOUR_MS,
  /** Vault route 2: leaf role max_ttl, istiod's default SECRET_TTL (docs/reference.md §5). */
  vaultLeafMaxTtlMs: 24 * HOUR_MS,
  /** istio-csr's istiod serving certificate renewBefore (csr deploy/charts/istio-csr/values.yaml at v0.17.0). */
  istioCsrIstiodRenewBeforeMs: 1_800_000,
} as const;
