/**
 * Exact conversion of lifetimes (milliseconds) into the string forms that the components parse.
 * cert-manager `duration`/`renewBefore`, Istio env (`SECRET_TTL`, `MAX_WORKLOAD_CERT_TTL`) and Vault `ttl`
 * all read Go `time.ParseDuration` strings (construct-style.md §1.4); Vault also takes plain seconds.
 */

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/** Largest single Go unit that represents `ms` exactly: 720h, 90m, 45s. Throws on fractions of a millisecond. */
export function goDuration(ms: number): string {
  if (!Number.isInteger(ms)) throw new Error(`lifetime ${ms}ms is not a whole number of milliseconds`);
  if (ms === 0) return '0s';
  for (const [unit, size] of UNITS) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * Go's `time.Duration.String()` for whole milliseconds (`8760h0m0s`, `45m0s`, `1.5s`, `500ms`): the form cert-manager
 * sends Vault as `ttl` (`duration.String()` in cert-manager internal/vault/vault.go `Sign`).
 */
export function goDurationString(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new Error(`lifetime ${ms}ms is not a whole, non-negative number of milliseconds`);
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = `${(ms % 60_000) / 1000}s`;
  if (h > 0) return `${h}h${m}m${s}`;
  if (m > 0) return `${m}m${s}`;
  return s;
}

/** Whole seconds; throws when `ms` is not a whole number of seconds (Vault's integer TTL fields). */
export function wholeSeconds(ms: number): number {
  if (ms % 1000 !== 0) throw new Error(`lifetime ${goDuration(ms)} is not a whole number of seconds`);
  return ms / 1000;
}

const GO_PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
const GO_SCALE: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go duration string (`1h30m`, `720h`) into milliseconds; undefined when it is not one. */
export function parseGoDuration(text: string): number | undefined {
  const s = text.trim();
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s)) return s === '0' ? 0 : undefined;
  let total = 0;
  for (const m of s.matchAll(GO_PART)) total += Number(m[1]) * GO_SCALE[m[2]];
  return Math.round(total);
}

/** Go's composite form without zero parts, for messages: 72h28m48s, 1h30m, 45s. */
export function humanDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  let out = '';
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return sign + out;
}

/** Go's largest `time.Duration` (int64 nanoseconds) in whole milliseconds: every component parses lifetimes into it. */
export const GO_MAX_DURATION_MS = 9_223_372_036_854;

/** What a lifetime prop must satisfy besides being a finite, whole-millisecond Go duration. */
export interface LifetimeRule {
  /** Smallest allowed value, ms. @default 1 (positive) */
  readonly minMs?: number;
  /** Why the minimum, for the message. */
  readonly minWhy?: string;
  /** The component reads whole seconds only (SECRET_TTL, Vault TTL fields, alert thresholds). */
  readonly wholeSeconds?: boolean;
}

/** Something with `toMilliseconds()`, as cdk8s `Duration` (the model knows nothing of cdk8s). */
export interface DurationLike {
  /** cdk8s throws on a fractional amount unless `integral` is false. */
  toMilliseconds(opts?: { integral?: boolean }): number;
}

/**
 * The one duration rule (Issue 11): problem text naming `prop` when `value` is not a Duration, is NaN, infinite,
 * fractional in milliseconds, beyond Go's range, below the minimum, or not whole seconds where that is required.
 */
export function lifetimeProblem(prop: string, value: unknown, rule: LifetimeRule = {}): string | undefined {
  if (typeof value !== 'object' || value === null || typeof (value as DurationLike).toMilliseconds !== 'function') {
    return `'${prop}' (${typeof value === 'object' ? JSON.stringify(value) : String(value)}) must be a Duration, e.g. Duration.hours(24)`;
  }
  const ms = (value as DurationLike).toMilliseconds({ integral: false });
  if (!Number.isFinite(ms)) return `'${prop}' (${ms}ms) must be a finite duration`;
  if (!Number.isInteger(ms)) return `'${prop}' (${ms}ms) must be a whole number of milliseconds`;
  if (ms > GO_MAX_DURATION_MS) {
    return `'${prop}' (${ms}ms) exceeds Go's largest duration (${humanDuration(GO_MAX_DURATION_MS)}), which Istio, cert-manager and Vault parse lifetimes into`;
  }
  const min = rule.minMs ?? 1;
  if (ms < min) return `'${prop}' (${goDuration(ms)}) must be at least ${humanDuration(min)}${rule.minWhy ? ` (${rule.minWhy})` : ''}`;
  if (rule.wholeSeconds && ms % 1000 !== 0) {
    return `'${prop}' (${goDuration(ms)}) must be a whole number of seconds; the component reads seconds only`;
  }
  return undefined;
}

/** Milliseconds of `value`, or an Error `<construct>: <problem>` when it breaks the rule. */
export function lifetimeMs(construct: string, prop: string, value: unknown, rule: LifetimeRule = {}): number {
  const problem = lifetimeProblem(prop, value, rule);
  if (problem) throw new Error(`${construct}: ${problem}`);
  return (value as DurationLike).toMilliseconds({ integral: false });
}
